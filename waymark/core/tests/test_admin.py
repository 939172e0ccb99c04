from django.contrib import admin


def test_the_admin_site_holds_no_records_about_children_or_concerns():
    """Django's admin reads around the need-to-know selectors, so it must not list such records."""
    registered = {model._meta.app_label for model in admin.site._registry}
    assert not registered & {"people", "concerns", "audit", "records"}
