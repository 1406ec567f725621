"""Opening the app in AppTest as a link would open it."""
from streamlit.testing.v1 import AppTest


def open_page(page: str | None = None, **query) -> AppTest:
    """The app as a link with these query parameters opens it, switched to a page (e.g. "pages/pupil.py")."""
    at = AppTest.from_file("../app.py", default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    return at
