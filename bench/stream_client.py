"""One person's session of the real app, driven over Streamlit's own websocket without a browser.

    with StreamClient("http://127.0.0.1:8501", "/overview?year=11") as client:   # opens the page
        client.sign_in("someone@school", "their password")
        seconds = client.choose("Year group", "Year 10")
        seconds = client.open_page("Subjects")

For benchmarks of many people at once (bench/crowd.py): the server does all the work it does for a
browser (the same session, scripts, widgets and messages), and the client only reads the messages,
so a crowd of them leaves the machine's cores to the server. It speaks the protocol of Streamlit's
frontend: protobuf messages (streamlit.proto) on ws://HOST:PORT/_stcore/stream, subprotocol
"streamlit" (no cookie or XSRF token is needed without an identity provider). Each action sends a
BackMsg `rerun_script` carrying the page, the URL's query string and the whole widget state, as the
browser does, and waits until the session is idle: the run's `script_finished`, not counting a run
that ends early because another follows (st.rerun(), a sign-in), after all of its deltas.

What the client keeps, as the browser does:
- the latest run's widgets (deltas whose element has an `id`), by label, and the value of each one
  it knows how to hold (selectbox, radio, text input and area, checkbox/toggle, multiselect, date):
  the default when first drawn, the server's when it sets one (`set_value`), else the last chosen;
  a form's widgets wait in the form until its submit button is pressed;
- the query string, as the server rewrites it (`page_info_changed`), and the page's menu (the
  `navigation` message: each page's title and `page_script_hash`);
- big elements by hash, so that the server sends only a reference to one it sent before.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.sync.client import connect

CACHED_RUNS = 2   # the browser forgets a big element not drawn in its last 2 runs (global.maxCachedMessageAge)


class StreamError(Exception):
    """The app did not do what was asked: an exception drawn, no end of run in time, no such widget."""


@dataclass
class Widget:
    id: str
    kind: str             # the element's type: "selectbox", "text_input", "button", ...
    label: str
    proto: object         # the element's proto (its options, default, form)
    main_script: bool     # drawn by the router (app.py), as the sidebar's filters: kept across page switches


class StreamClient:
    def __init__(self, url: str, path: str = "/", timeout: float = 120) -> None:
        """Connect to the app at url (http://HOST:PORT) and open path (e.g. "/overview?year=11") as a
        link would: the first run is timed in `self.opened`."""
        self.timeout = timeout
        parts = urlsplit(url)
        # (legacy=True: the connection outlives this call, closed by close(); no size limit: a table can be big)
        self.socket = connect(f"ws://{parts.netloc}/_stcore/stream", subprotocols=["streamlit"], max_size=None,
                              open_timeout=timeout, legacy=True)
        link = urlsplit(path)
        self.query_string = link.query
        self.page_hash = ""          # the page being shown (from the navigation message)
        self.main_hash = ""          # the router's script (app.py)
        self.pages: dict[str, str] = {}           # the page menu: title -> page_script_hash
        self.widgets: dict[str, Widget] = {}      # the latest run's, by id
        self.values: dict[str, dict[str, WidgetState]] = {"": {}}   # by form ("" for none): id -> value
        self.drawn: list[str] = []   # the latest run's elements, by content hash (what the page showed)
        self.texts: list[str] = []   # and its text: titles, captions, metrics ("label: value")
        self.cache: dict[str, list] = {}          # content hash -> [ForwardMsg, the run it was last drawn in]
        self.runs = 0
        try:
            self.opened = self._rerun(self._sent_values(), page_name=link.path.strip("/"))
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> StreamClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.socket.close()

    # What a person does. Each returns the seconds from the message sent to the run finished.

    def sign_in(self, username: str, password: str) -> float:
        """The sign-in form: username, password, and its submit button (one rerun, as in a browser)."""
        self.fill("Username", username)
        self.fill("Password", password)
        seconds = self.press("Sign in")
        if any(widget.label == "Username" for widget in self.widgets.values()):
            raise StreamError(f"not signed in as {username}: the sign-in form is still shown")
        return seconds

    def fill(self, label: str, text: str) -> float | None:
        """Type into a text input and leave it: a rerun, except in a form (the text waits for its submit)."""
        widget = self.widget(label, ("text_input", "text_area"))
        return self._set(widget, WidgetState(id=widget.id, string_value=text))

    def choose(self, label: str, option: str) -> float | None:
        """Pick an option (by its text, e.g. "Year 10") of a selectbox or radio: a rerun, except in a form."""
        widget = self.widget(label, ("selectbox", "radio"))
        if option not in widget.proto.options:
            raise StreamError(f"{label!r} has no option {option!r}: {list(widget.proto.options)}")
        return self._set(widget, WidgetState(id=widget.id, string_value=option))

    def press(self, label: str) -> float:
        """Press a button; a form's submit button sends the form's values with it."""
        widget = self.widget(label, ("button",))
        form = widget.proto.form_id if widget.proto.is_form_submitter else ""
        if form:   # the form's values join the others, as the browser's do on submit
            self.values[""].update(self.values.pop(form, {}))
        return self._rerun([*self._sent_values(), WidgetState(id=widget.id, trigger_value=True)])

    def open_page(self, name: str) -> float:
        """A page from the page menu, by its title. As the browser does: only the router's widgets keep
        their values, and another page's link has no query string (the server writes the view's back)."""
        if name not in self.pages:
            raise StreamError(f"no page {name!r} in the menu: {list(self.pages)}")
        if self.pages[name] != self.page_hash:
            self.query_string = ""
        return self._rerun(self._sent_values(main_script_only=True), page_hash=self.pages[name])

    def widget(self, label: str, kinds: tuple[str, ...]) -> Widget:
        """The latest run's widget of one of these kinds with this label (there must be exactly one)."""
        found = [w for w in self.widgets.values() if w.label == label and w.kind in kinds]
        if len(found) != 1:
            shown = sorted(f"{w.kind} {w.label!r}" for w in self.widgets.values())
            raise StreamError(f"{len(found)} {'/'.join(kinds)} labelled {label!r} on the page; it has: {shown}")
        return found[0]

    # The protocol.

    def _set(self, widget: Widget, value: WidgetState) -> float | None:
        form = widget.proto.form_id
        self.values.setdefault(form, {})[widget.id] = value
        return None if form else self._rerun(self._sent_values())

    def _sent_values(self, main_script_only: bool = False) -> list[WidgetState]:
        return [value for id, value in self.values[""].items()
                if not main_script_only or (id in self.widgets and self.widgets[id].main_script)]

    def _rerun(self, values: list[WidgetState], page_hash: str | None = None, page_name: str = "") -> float:
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = self.page_hash if page_hash is None else page_hash
        state.page_name = page_name   # only on opening a link (no page known yet), as the browser does
        state.widget_states.widgets.extend(values)
        state.cached_message_hashes.extend(self.cache)
        started = time.perf_counter()
        self.socket.send(message.SerializeToString())
        self._until_idle(time.monotonic() + self.timeout)
        return time.perf_counter() - started

    def _until_idle(self, deadline: float) -> None:
        """Read the session's messages until its runs end; the last run's widgets and text are then the page's."""
        widgets, drawn, texts, errors = {}, [], [], []
        while True:
            try:
                message = ForwardMsg.FromString(self.socket.recv(timeout=max(0.0, deadline - time.monotonic())))
            except TimeoutError:
                raise StreamError(f"the run did not finish within {self.timeout:g} s") from None
            kind = message.WhichOneof("type")
            if kind == "ref_hash":   # an element the client has: the server sent only its hash
                if message.ref_hash not in self.cache:
                    raise StreamError("the server referred to an element the client does not have")
                cached = ForwardMsg()
                cached.CopyFrom(self.cache[message.ref_hash][0])
                cached.metadata.CopyFrom(message.metadata)
                message, kind = cached, "delta"
            if kind == "new_session":   # a run starts: it draws the page anew
                self.main_hash = message.new_session.main_script_hash
                widgets, drawn, texts = {}, [], []
            elif kind == "delta":
                self._take(message, widgets, drawn, texts, errors)
            elif kind == "navigation":
                self.page_hash = message.navigation.page_script_hash
                self.pages = {page.page_name: page.page_script_hash for page in message.navigation.app_pages}
            elif kind == "page_info_changed":
                self.query_string = message.page_info_changed.query_string
            elif kind == "page_not_found":
                errors.append(f"page not found: {message.page_not_found.page_name}")
            elif kind == "session_event" and message.session_event.HasField("script_compilation_exception"):
                errors.append(f"script did not compile: {message.session_event.script_compilation_exception.message}")
            elif kind == "script_finished" and message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                break
        self.runs += 1
        self.widgets, self.drawn, self.texts = widgets, drawn, texts
        for values in self.values.values():   # the browser forgets the values of widgets no longer drawn
            for id in [id for id in values if id not in widgets]:
                del values[id]
        self.cache = {hash: entry for hash, entry in self.cache.items() if self.runs - entry[1] <= CACHED_RUNS}
        if errors:
            raise StreamError("; ".join(errors))

    def _take(self, message: ForwardMsg, widgets: dict, drawn: list, texts: list, errors: list) -> None:
        """One delta of the run: what it drew, and a widget's id, label and value."""
        if message.metadata.cacheable:
            self.cache[message.hash] = [message, self.runs]
        elif message.hash in self.cache:
            self.cache[message.hash][1] = self.runs
        if message.delta.WhichOneof("type") != "new_element":
            return
        drawn.append(message.hash)
        element = message.delta.new_element
        kind = element.WhichOneof("type")
        proto = getattr(element, kind)
        if kind == "exception":
            errors.append(f"{proto.type}: {proto.message}")
        elif kind in ("heading", "markdown", "text"):
            texts.append(proto.body)
        elif kind == "metric":
            texts.append(f"{proto.label}: {proto.body}")
        if not getattr(proto, "id", ""):
            return
        widget = Widget(proto.id, kind, getattr(proto, "label", ""), proto,
                        main_script=message.metadata.active_script_hash == self.main_hash)
        widgets[widget.id] = widget
        form = getattr(proto, "form_id", "")
        held = self.values.setdefault(form, {})
        if widget.id not in held or getattr(proto, "set_value", False):
            value = _shown_value(kind, proto)
            if value is not None:
                held[widget.id] = value


def _shown_value(kind: str, proto) -> WidgetState | None:
    """The value a browser holds for a widget as drawn: the one the server set, else the default.
    None for a widget with no value to hold (a button's press is sent once) or one this client does not
    model (a chart's or table's selection, a tab): the server then keeps its own, as for an untouched one."""
    state = WidgetState(id=proto.id)
    if kind in ("selectbox", "radio"):
        if proto.set_value:
            if not proto.HasField("raw_value"):
                return None
            state.string_value = proto.raw_value
        elif proto.HasField("default"):
            state.string_value = proto.options[proto.default]
        else:
            return None
    elif kind in ("text_input", "text_area"):
        value = proto.value if proto.set_value else proto.default
        state.string_value = value
    elif kind == "checkbox":   # and toggles
        state.bool_value = proto.value if proto.set_value else proto.default
    elif kind == "multiselect":
        state.string_array_value.data.extend(
            proto.raw_values if proto.set_value else [proto.options[i] for i in proto.default])
    elif kind == "date_input":
        state.string_array_value.data.extend(proto.value if proto.set_value else proto.default)
    else:
        return None
    return state
