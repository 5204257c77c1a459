"""The web app: the app factory, the guard, sign-in, the shell, page components, HTTP routes and the API."""
