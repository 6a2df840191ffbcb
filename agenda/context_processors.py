from agenda.selectors import unread_count


def notifications(request):
    """The menu's badge. Only for workers and team leads, the ones notified, so other pages pay no query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not (user.is_support_worker or user.is_team_lead):
        return {"notifications_shown": False}
    return {"notifications_shown": True, "unread_notifications": unread_count(user)}
