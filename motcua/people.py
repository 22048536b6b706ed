"""A person's name as Vietnamese writes it: family name, middle name(s), given name (họ, đệm, tên).

Users keep Django's two fields the way Vietnamese software does: ``last_name`` holds the family and
middle names ("Đinh Quang"), ``first_name`` the given name ("Giang"). Django's ``get_full_name()``
puts the given name first ("Giang Đinh Quang"); screens, forms and event labels use
:func:`person_name` instead. A name kept whole in ``first_name`` (``last_name`` empty) prints as kept.
"""
from __future__ import annotations

from typing import Any


def vietnamese_name(first_name: str, last_name: str) -> str:
    """'Đinh Quang Giang' from first_name 'Giang', last_name 'Đinh Quang'."""
    return " ".join(part for part in (last_name.strip(), first_name.strip()) if part)


def person_name(user: Any) -> str:
    """The display name of a user (family name first), else the username; '' for no user."""
    if user is None:
        return ""
    name = vietnamese_name(getattr(user, "first_name", "") or "", getattr(user, "last_name", "") or "")
    return name or user.get_username()
