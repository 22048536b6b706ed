"""Login (Django's LoginView with the lockout form) and logout."""
from __future__ import annotations

from django.contrib.auth import views as auth_views

from motcua.office.forms import LockoutAuthenticationForm


class LoginView(auth_views.LoginView):
    form_class = LockoutAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5); the navbar has a small form for it."""

    next_page = "login"
