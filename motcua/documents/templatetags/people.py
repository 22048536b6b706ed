"""``{{ user|person_name }}``: a user's name family name first (họ, đệm, tên), see motcua.people."""
from __future__ import annotations

from django import template

from motcua.people import person_name

register = template.Library()
register.filter("person_name", person_name)
