"""Write the access log on login, failed login and logout."""
