from rest_framework.test import APIClient


def client_for(user) -> APIClient:
    """An API client signed in (by session) as the given user."""
    client = APIClient()
    client.force_login(user)
    return client
