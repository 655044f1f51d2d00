from .http import query_without_page
from .navigation import nav_items


def navigation(request):
    qs = query_without_page(request)
    context = {"querystring_without_page": qs + "&" if qs else ""}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    from dangjian.notifications.selectors import unread_count

    return {
        **context,
        "nav_items": nav_items(request),
        "nav_role_label": _role_label(user),
        "nav_unread": unread_count(user),
    }


def _role_label(user) -> str:
    if user.system_role:
        return user.get_system_role_display()
    if not user.person_id:
        return ""
    from dangjian.organizations.selectors import role_labels

    labels = role_labels(user.person_id)
    if labels:
        return labels[0]
    return user.person.get_political_status_display()
