"""The logged-in user's own account: change one's password."""
