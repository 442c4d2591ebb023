#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""test-a11y: CalSync as a screen reader sees it (issue #15).

Reads the real accessibility tree of the running app over AT-SPI, the way Orca
does (pyatspi), drives it with real key presses (xdotool on the Xvfb display)
and records the AT-SPI events it emits (focus, showing, announcements). Each
point of the accessibility contract is one check, printed as "ok" or "FAIL"
with what was expected and what was found; at the end the whole tree under the
window (name, role, description, states) is printed for the record.

Usage (meson runs it, see tests/meson.build):
  test-a11y.py CALSYNC_BINARY CALSYNC_SEED_BINARY

Runs inside tests/run-with-keyring.sh (a private session bus, throwaway HOME
and XDG directories) under Xvfb. Exit status: 0 when every check passed, 1 when
one failed, 77 (skipped) without pyatspi, an AT-SPI bus, xdotool or a display,
99 instead of 77 when CALSYNC_TEST_NO_SKIP is set (CI), and 99 when the harness
itself breaks. Every wait has a deadline; the app and the AT-SPI bus this test
started are stopped by PID at the end.

Environment: CALSYNC_A11Y_ONLY=REGEX runs only the checks whose id matches;
CALSYNC_A11Y_TIMEOUT_SCALE multiplies every deadline (slow builds: ASan).
"""

import datetime
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

NOW = "2026-11-25T12:00:00+01:00"   # a Wednesday; as in tests/calsync-test-utils.c
YEAR = 2026
SCALE = float(os.environ.get("CALSYNC_A11Y_TIMEOUT_SCALE", "1") or "1")
T0 = time.monotonic()
# The same names everywhere: English (C.UTF-8), Berlin time
FIXED_ENV = {
    "CALSYNC_NOW": NOW,
    "TZ": "Europe/Berlin",
    "LANGUAGE": "C",
    "LC_ALL": "C.UTF-8",
    "LANG": "C.UTF-8",
}


def log(text):
    print(text, flush=True)


def not_available(reason):
    """Skips (77), or fails (99) when CALSYNC_TEST_NO_SKIP is set."""
    if os.environ.get("CALSYNC_TEST_NO_SKIP"):
        log(f"test-a11y: {reason} (CALSYNC_TEST_NO_SKIP is set: not skipping)")
        sys.exit(99)
    log(f"test-a11y: skipped: {reason}")
    sys.exit(77)


# ---------------------------------------------------------------------------
# Processes and the AT-SPI bus

STARTED = []   # (what, Popen or pid) stopped at the end, newest first


def stop_pid(pid, what):
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done == pid:
                return
        except ChildProcessError:
            # Not our child: poll for its end (a zombie counts as ended)
            try:
                with open(f"/proc/{pid}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                        return
            except (FileNotFoundError, IndexError):
                return
        time.sleep(0.05)
    log(f"test-a11y: {what} (pid {pid}) did not end on SIGTERM: SIGKILL")
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def stop_all():
    while STARTED:
        what, pid = STARTED.pop()
        stop_pid(pid, what)


def run(argv, timeout=10, env=None, check=True):
    """Runs a short command with a deadline; returns its stdout."""
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            timeout=timeout * SCALE, env=env)
    if check and result.returncode != 0:
        raise RuntimeError(f"{argv[0]} exited {result.returncode}: {result.stderr.strip()}")
    return result.stdout


def a11y_bus_address():
    """The AT-SPI bus of this session: org.a11y.Bus (D-Bus activation of
    at-spi-bus-launcher), or a launcher started here when nothing provides it."""
    from gi.repository import Gio, GLib

    session = Gio.bus_get_sync(Gio.BusType.SESSION, None)

    def get_address():
        try:
            reply = session.call_sync("org.a11y.Bus", "/org/a11y/bus", "org.a11y.Bus", "GetAddress",
                                      None, GLib.VariantType("(s)"), Gio.DBusCallFlags.NONE,
                                      int(10000 * SCALE), None)
            return reply.unpack()[0]
        except GLib.Error:
            return None

    def owner_pid(name):
        try:
            reply = session.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                      "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                      GLib.Variant("(s)", (name,)), GLib.VariantType("(u)"),
                                      Gio.DBusCallFlags.NONE, 5000, None)
            return reply.unpack()[0]
        except GLib.Error:
            return None

    address = get_address()
    if not address:
        launcher = next((p for p in ("/usr/libexec/at-spi-bus-launcher",
                                     "/usr/lib/at-spi2-core/at-spi-bus-launcher")
                         if os.access(p, os.X_OK)), None)
        if launcher is None:
            not_available("no AT-SPI bus and no at-spi-bus-launcher (Debian: at-spi2-core)")
        process = subprocess.Popen([launcher, "--launch-immediately"], stdin=subprocess.DEVNULL)
        STARTED.append(("at-spi-bus-launcher", process.pid))
        deadline = time.monotonic() + 10 * SCALE
        while not address and time.monotonic() < deadline:
            time.sleep(0.1)
            address = get_address()
    else:
        pid = owner_pid("org.a11y.Bus")
        if pid:
            # Activated on this test's private bus: it is ours to stop
            STARTED.append(("at-spi-bus-launcher", pid))
    if not address:
        not_available("the AT-SPI bus (org.a11y.Bus) did not start within 10 s")
    return address


# ---------------------------------------------------------------------------
# Checks

class Results:
    def __init__(self, only):
        self.only = re.compile(only) if only else None
        self.failed = []
        self.passed = []

    def wanted(self, check_id):
        return self.only is None or self.only.search(check_id)

    def record(self, check_id, ok, what, expected=None, found=None):
        if ok:
            self.passed.append(check_id)
            log(f"ok   {check_id}: {what}" + (f" — found: {found}" if found is not None
                                               and len(str(found)) < 160 else "")
                + f" [{time.monotonic() - T0:.1f} s]")
        else:
            self.failed.append(check_id)
            log(f"FAIL {check_id}: {what} [{time.monotonic() - T0:.1f} s]")
            if expected is not None:
                log(f"       expected: {expected}")
            if found is not None:
                log(f"       found:    {found}")


# ---------------------------------------------------------------------------
# The accessibility tree (pyatspi)

pyatspi = None
GLib = None


def pump(seconds=0.0):
    """Runs the main context (AT-SPI events arrive there) for @seconds."""
    context = GLib.MainContext.default()
    end = time.monotonic() + seconds
    while True:
        while context.iteration(False):
            pass
        if time.monotonic() >= end:
            return
        time.sleep(0.02)


def wait_until(predicate, seconds, step=0.05):
    """Pumps events until @predicate() is true or the deadline passes; returns
    the predicate's last value."""
    deadline = time.monotonic() + seconds * SCALE
    while True:
        pump()
        try:
            value = predicate()
        except Exception:   # an object went away while being read: try again
            value = None
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step)


def safe(function, default=""):
    try:
        value = function()
        return default if value is None else value
    except Exception:
        return default


def name_of(acc):
    return safe(lambda: acc.name)


def description_of(acc):
    return safe(lambda: acc.description)


def role_of(acc):
    return safe(lambda: acc.getRoleName())


def states_of(acc):
    try:
        state_set = acc.getState()
        return {pyatspi.stateToString(s) for s in state_set.getStates()}
    except Exception:
        return set()


def has_state(acc, state):
    return state in states_of(acc)


def children_of(acc):
    try:
        return [c for c in (acc.getChildAtIndex(i) for i in range(acc.childCount)) if c is not None]
    except Exception:
        return []


def walk(acc, depth=0, limit=40):
    """(object, depth) of @acc and every descendant, depth first."""
    yield acc, depth
    if depth >= limit:
        return
    for child in children_of(acc):
        yield from walk(child, depth + 1, limit)


def text_of(acc):
    try:
        text = acc.queryText()
        return text.getText(0, text.characterCount)
    except Exception:
        return None


def find_all(root, predicate):
    return [acc for acc, _ in walk(root) if safe(lambda: predicate(acc), False)]


def find_one(root, predicate):
    for acc, _ in walk(root):
        if safe(lambda: predicate(acc), False):
            return acc
    return None


def describe(acc):
    if acc is None:
        return "nothing"
    states = sorted(states_of(acc) & {"focused", "showing", "visible", "focusable", "busy",
                                      "sensitive", "enabled"})
    desc = description_of(acc)
    return (f"{role_of(acc)} “{name_of(acc)}”" + (f" (description “{desc}”)" if desc else "")
            + f" [{', '.join(states)}]")


def dump(root, title):
    log(f"\n=== Accessibility tree: {title} ===")
    log("(indent = depth; role “name” — description [states])")
    for acc, depth in walk(root):
        desc = description_of(acc)
        text = text_of(acc) if role_of(acc) in ("label", "text", "entry") else None
        extra = f" text=“{text}”" if text and text != name_of(acc) else ""
        log(f"{'  ' * depth}{role_of(acc)} “{name_of(acc)}”"
            + (f" — “{desc}”" if desc else "") + extra
            + f" [{' '.join(sorted(states_of(acc)))}]")
    log(f"=== end of {title} ===\n")


# ---------------------------------------------------------------------------
# Events (what Orca listens to)

class Recorder:
    TYPES = ("object:state-changed:focused", "object:state-changed:showing",
             "object:state-changed:visible",
             "object:state-changed:busy", "object:announcement", "object:children-changed",
             "window:activate", "window:create")

    def __init__(self):
        self.events = []
        pyatspi.Registry.registerEventListener(self.on_event, *self.TYPES)

    def on_event(self, event):
        source = event.source
        data = safe(lambda: event.any_data, None)
        if data is not None and not isinstance(data, (str, int, float)):
            # children-changed: the child added or removed
            data = f"{role_of(data)} “{name_of(data)}”"
        # Read at once: the object may be gone when the check looks
        self.events.append({
            "time": time.monotonic(),
            "type": event.type,
            "detail1": event.detail1,
            "any_data": data if isinstance(data, str) else None,
            "source": source,
            "name": name_of(source),
            "role": role_of(source),
            "description": description_of(source),
        })

    def mark(self):
        return len(self.events)

    def since(self, mark, prefix=""):
        return [e for e in self.events[mark:] if e["type"].startswith(prefix)]

    def stop(self):
        try:
            pyatspi.Registry.deregisterEventListener(self.on_event, *self.TYPES)
        except Exception:
            pass


# ---------------------------------------------------------------------------
# The app

class App:
    def __init__(self, calsync, seeder, tmp):
        self.calsync = calsync
        self.seeder = seeder
        self.tmp = tmp
        self.env = dict(os.environ)
        self.env.update(FIXED_ENV)
        self.env.pop("NO_AT_BRIDGE", None)
        self.env["GTK_A11Y"] = "atspi"
        self.env.setdefault("XDG_DATA_HOME", os.path.join(tmp, "data"))
        self.env.setdefault("XDG_CONFIG_HOME", os.path.join(tmp, "config"))
        self.process = None
        self.app = None
        self.window = None
        self.window_id = None
        self.agendas = {}

    def seed(self):
        out = run([self.seeder, "--now=" + NOW[:10]], timeout=60, env=self.env)
        log(f"test-a11y: {out.strip()}")

    def agenda(self, start, end):
        """The events from @start to @end (YYYY-MM-DD) as `calsync --agenda --json` lists them."""
        import json
        key = (start, end)
        if key not in self.agendas:
            env = dict(self.env)
            env.pop("DISPLAY", None)
            env.pop("WAYLAND_DISPLAY", None)
            out = run([self.calsync, "--agenda", f"--from={start}", f"--to={end}", "--json"],
                      timeout=30, env=env)
            self.agendas[key] = json.loads(out)
        return self.agendas[key]

    def expected_chip_names(self):
        """The spec's chip names of every event of the month view (26 Oct – 13 Dec), any day of
        a multi-day event."""
        names = set()
        for e in self.agenda("2026-10-26", "2026-12-14"):
            calendar = e["calendarName"]
            if e.get("allDay"):
                first = datetime.date.fromisoformat(e["startDate"])
                last = datetime.date.fromisoformat(e["endDate"]) - datetime.timedelta(days=1)
                if last <= first:
                    when = f"{day_name(first)}, all day"
                else:
                    when = f"{day_name(first)} to {day_name(last)}, all day"
            else:
                start = datetime.datetime.fromisoformat(e["start"])
                end = datetime.datetime.fromisoformat(e["end"])
                first, last = start.date(), (end - datetime.timedelta(seconds=1)).date()
                if last <= first:
                    when = f"{day_name(first)}, {start:%H:%M} to {end:%H:%M}"
                else:
                    when = f"{day_name(first)} {start:%H:%M} to {day_name(end.date())} {end:%H:%M}"
            # A chip or block names the whole event, on every day it is drawn
            names.add(f"{e['title']}, {when}, {calendar} calendar")
        return names

    def start(self):
        # A window manager, as on a desktop: it gives a newly shown window (the editor)
        # the input focus. Xvfb has none; openbox is small (Debian package openbox).
        wm = shutil.which("openbox")
        if wm:
            window_manager = subprocess.Popen([wm, "--sm-disable"], env=self.env,
                                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL)
            STARTED.append(("openbox", window_manager.pid))
        self.process = subprocess.Popen([self.calsync], env=self.env, stdin=subprocess.DEVNULL)
        STARTED.append(("calsync", self.process.pid))

        def find_window():
            if self.process.poll() is not None:
                raise RuntimeError(f"calsync exited with status {self.process.returncode}")
            desktop = pyatspi.Registry.getDesktop(0)
            for app in children_of(desktop):
                if safe(lambda: app.get_process_id(), 0) == self.process.pid:
                    for window in children_of(app):
                        if role_of(window) in ("frame", "window") and has_state(window, "showing"):
                            return app, window
            return None

        found = wait_until(find_window, 60)
        if not found:
            raise RuntimeError("the CalSync window did not appear on the AT-SPI bus within 60 s")
        self.app, self.window = found
        # Live reads: no stale cached names or states
        try:
            self.app.set_cache_mask(pyatspi.Atspi.Cache.NONE)
        except Exception:
            pass
        # The X window, for focus and resizing
        ids = wait_until(lambda: run(["xdotool", "search", "--onlyvisible", "--pid",
                                      str(self.process.pid)], check=False).split(), 20)
        if not ids:
            raise RuntimeError("xdotool found no visible window of calsync")
        self.window_id = ids[-1]
        self.focus_window()

    def focus_window(self):
        run(["xdotool", "windowfocus", "--sync", self.window_id], check=False)
        # GTK 4.8 never reports a frame "active": a short wait, not a deadline
        wait_until(lambda: has_state(self.window, "active") or focused(self.app) is not None, 1)

    def key(self, *keys):
        run(["xdotool", "key", "--clearmodifiers", *keys])

    def windows(self):
        return children_of(self.app)

    def quit(self):
        if self.process and self.process.poll() is None:
            try:
                self.key("ctrl+q")
                self.process.wait(timeout=5 * SCALE)
            except Exception:
                pass


def focused(app):
    """The object with state FOCUSED in any window of @app, as Orca would ask."""
    for window in children_of(app):
        # GTK 4.8 does not always give a dialog the state showing: visible will do
        if not has_state(window, "showing") and not has_state(window, "visible"):
            continue
        acc = find_one(window, lambda a: has_state(a, "focused"))
        if acc is not None:
            return acc
    return None


# ---------------------------------------------------------------------------
# Names (the contract: /work/a11y-spec.md, issue #15)

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
TODAY = datetime.date(2026, 11, 25)


def day_name(date):
    """'Wednesday 25 November' (C locale, as _("%A %-d %B"))"""
    return f"{date.strftime('%A')} {date.day} {MONTHS[date.month - 1]}"


def cell_name(date):
    return ("Today, " if date == TODAY else "") + day_name(date)


CELL_RE = re.compile(r"^(Today, )?(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) "
                     r"(\d{1,2}) (" + "|".join(MONTHS) + r")$")
_DAY = (r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) \d{1,2} (?:"
        + "|".join(MONTHS) + r")")
# "<title>, <day>, 10:00 to 10:15, <calendar> calendar"; "<title>, <day>, all day, …";
# events over several days: "<day> to <day>, all day", "<day> 22:00 to <day> 01:00"
CHIP_RE = re.compile(r"^(?P<title>.+), (?:"
                     r"(?P<day>" + _DAY + r"), (?P<start>\d{1,2}:\d\d) to (?P<end>\d{1,2}:\d\d)"
                     r"|(?P<first>" + _DAY + r")(?: to (?P<last>" + _DAY + r"))?, all day"
                     r"|(?P<tfirst>" + _DAY + r") \d{1,2}:\d\d to (?P<tlast>" + _DAY + r") \d{1,2}:\d\d"
                     r"), (?P<calendar>.+) calendar$")


def chip_days(name):
    """The days (as “Weekday D Month” names) a chip's name covers, first and last."""
    match = CHIP_RE.match(name or "")
    if not match:
        return None
    first = match["day"] or match["first"] or match["tfirst"]
    last = match["day"] or match["last"] or match["first"] or match["tlast"]
    return first, last


MORE_RE = re.compile(r"^(\d+) more events? on (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) "
                     r"\d{1,2} (" + "|".join(MONTHS) + r")$")
GTYPE_RE = re.compile(r"^(Gtk|Adw|Calsync)[A-Z][A-Za-z]*$")
# Roles of what takes focus or is operated: these must have real names
INTERACTIVE_ROLES = {"push button", "toggle button", "check box", "radio button", "combo box",
                     "entry", "text", "spin button", "slider", "table cell", "page tab",
                     "menu item", "link", "list item", "switch", "toggle switch", "menu button",
                     "password text"}


def date_of_cell(name):
    match = CELL_RE.match(name or "")
    if not match:
        return None
    return datetime.date(YEAR, MONTHS.index(match.group(4)) + 1, int(match.group(3)))


# ---------------------------------------------------------------------------
# The checks, in the order of the spec

class Test:
    def __init__(self, app, results, recorder):
        self.a = app
        self.r = results
        self.rec = recorder

    # helpers ---------------------------------------------------------------
    def check(self, check_id, ok, what, expected=None, found=None):
        self.r.record(check_id, ok, what, expected, found)
        return ok

    def main_window(self):
        return self.a.window

    def tab_to(self, predicate, max_tabs=60, key="Tab"):
        """Presses Tab until the focused object satisfies @predicate."""
        for _ in range(max_tabs):
            acc = wait_until(lambda: focused(self.a.app), 0.5)
            if acc is not None and safe(lambda: predicate(acc), False):
                return acc
            self.a.key(key)
            pump(0.05)
        acc = wait_until(lambda: focused(self.a.app), 0.5)
        return acc if acc is not None and safe(lambda: predicate(acc), False) else None

    def wait_focus(self, predicate, seconds=3):
        return wait_until(lambda: (lambda f: f if f is not None and predicate(f) else None)(
            focused(self.a.app)), seconds)

    def wait_window(self, predicate, seconds=10):
        return wait_until(lambda: next((w for w in self.a.windows()
                                        if safe(lambda: predicate(w), False)), None), seconds)

    def wait_window_gone(self, window, seconds=10):
        def gone():
            return all(safe(lambda: w != window, True) and name_of(w) != name_of(window)
                       or not has_state(w, "showing") for w in self.a.windows())
        return wait_until(gone, seconds)

    def header(self):
        """The header bar: the largest ancestor of the Sync button without the views in it."""
        sync = find_one(self.main_window(), lambda a: name_of(a) == "Sync Calendars")
        if sync is None:
            return self.main_window()
        header = sync
        while True:
            parent = safe(lambda: header.parent, None)
            if parent is None or role_of(parent) == "frame" or find_one(
                    parent, lambda a: role_of(a) in ("table", "grid") or name_of(a) == "GtkStackPage"
                    or role_of(a) == "scroll pane"):
                return header
            header = parent

    def header_buttons(self):
        return find_all(self.header(), lambda a: role_of(a) in ("push button", "toggle button"))

    # 1. header bar -----------------------------------------------------------
    def test_header(self):
        buttons = self.header_buttons()
        names = [name_of(b) for b in buttons]

        today = [b for b in buttons if name_of(b) == "Today"]
        self.check("header-today-named", len(today) == 1, "one button named “Today”",
                   "exactly 1", f"{len(today)} (buttons: {names[:12]})")
        if today:
            inner = [describe(a) for a, d in walk(today[0]) if d > 0 and "Today" in name_of(a)]
            self.check("header-today-once", not inner,
                       "“Today” read once: no object inside the Today button repeats it",
                       "no descendant named “Today”", inner or None)
            self.check("header-today-description", description_of(today[0]) == "Go to Today",
                       "Today's description", "“Go to Today”", f"“{description_of(today[0])}”")

        for name, roles in (("Previous", ("push button",)), ("Next", ("push button",)),
                            ("New Event", ("push button",)),
                            ("Main Menu", ("push button", "toggle button")),
                            ("Month View", ("toggle button", "push button", "radio button")),
                            ("Week View", ("toggle button", "push button", "radio button"))):
            found = [b for b in buttons if name_of(b) == name and role_of(b) in roles]
            check_id = "header-" + name.lower().replace(" ", "-")
            self.check(check_id, len(found) == 1, f"a button named “{name}”",
                       f"1 object, role {' or '.join(roles)}, named “{name}”",
                       f"{len(found)}; header buttons are named {names[:14]}")

        shortcut_names = [n for n in names if "(" in n or "Ctrl" in n or "Alt+" in n]
        self.check("header-no-shortcut-in-name", not shortcut_names,
                   "no “(Ctrl+N)”/“(Alt+1)” in buttons' names (shortcuts go to KEY_SHORTCUTS)",
                   "none", shortcut_names or None)

        sync = [b for b in buttons if name_of(b) == "Sync Calendars"]
        self.check("header-sync-named", len(sync) == 1, "a button named “Sync Calendars”",
                   "1", f"{len(sync)}")
        if sync:
            self.check("header-sync-description", bool(description_of(sync[0]).strip()),
                       "Sync Calendars has the last-sync time as description",
                       "a non-empty description", f"“{description_of(sync[0])}”")

    def title_label(self):
        """The header's title: its label naming a month (not a button's label)."""
        months = "|".join(MONTHS + [m[:3] for m in MONTHS])
        for label in find_all(self.header(), lambda a: role_of(a) == "label"):
            parent = safe(lambda: label.parent, None)
            if re.search(r"\b(" + months + r")\b", name_of(label)) and role_of(parent) not in (
                    "push button", "toggle button"):
                return label
        return None

    def test_title(self):
        label = self.title_label()
        self.check("title-month", label is not None and name_of(label) == "November 2026",
                   "the header title names the shown month", "a label “November 2026”",
                   describe(label))

    # 1. nothing named after a GType -------------------------------------------
    def test_gtype_names(self, where="main window", root=None):
        """What a screen reader reads as a control's name: GTK 4.8 names every unnamed
        container after its GType (GtkStackPage, AdwGizmo…: libadwaita's insides too),
        so containers are left out; controls are not."""
        root = root or self.main_window()
        offenders = {}
        for acc, _ in walk(root):
            name = name_of(acc)
            if GTYPE_RE.match(name) and role_of(acc) in INTERACTIVE_ROLES:
                key = f"{role_of(acc)} “{name}”"
                offenders[key] = offenders.get(key, 0) + 1
        self.check(f"no-gtype-names ({where})", not offenders,
                   f"nothing in the {where} is named after its GType",
                   "no control (button, entry, cell, switch…) named ^(Gtk|Adw|Calsync)[A-Z]…",
                   ", ".join(f"{k} ×{v}" for k, v in sorted(offenders.items())) or None)

    def check_read_twice(self, where, root):
        doubled = []
        for acc, _ in walk(root):
            plain = name_of(acc).replace("_", "").strip()
            words = plain.split(" ")
            half = len(words) // 2
            if len(words) >= 2 and len(words) % 2 == 0 and words[:half] == words[half:]:
                doubled.append(f"{role_of(acc)} “{name_of(acc)}”")
        self.check(f"read-once ({where})", not doubled,
                   f"no name in the {where} says its text twice (mnemonic labels, switches)",
                   "no “Today Today”, “Team Team”", doubled[:10] or None)

    # 2. month grid -------------------------------------------------------------
    def month_grid(self):
        tables = find_all(self.main_window(), lambda a: role_of(a) in ("table", "grid"))
        named = [t for t in tables if name_of(t) == "Month"]
        return (named or tables or [None])[0]

    def day_cells(self, grid):
        return find_all(grid, lambda a: role_of(a) in ("table cell", "grid cell"))

    def test_month_grid(self):
        grid = self.month_grid()
        self.check("month-grid-role", grid is not None and name_of(grid) == "Month",
                   "the month view is a grid (AT-SPI role “table”) named “Month”",
                   "role table, name “Month”", describe(grid))
        if grid is None:
            return
        rows = [c for c in children_of(grid) if role_of(c) in ("table row", "row")]
        others = [describe(c) for c in children_of(grid) if role_of(c) not in ("table row", "row")]
        cells_per_row = [len([c for c in children_of(row) if role_of(c) in ("table cell", "grid cell")])
                         for row in rows]
        self.check("month-grid-rows", 4 <= len(rows) <= 6 and all(n == 7 for n in cells_per_row),
                   "the grid's children are rows (role “table row”) of 7 day cells (role “table cell”)",
                   "4–6 rows × 7 cells",
                   f"{len(rows)} rows with {cells_per_row} cells; other children: {others[:6]}")
        cells = self.day_cells(grid)
        names = [name_of(c) for c in cells]
        expected = [cell_name(TODAY), cell_name(TODAY - datetime.timedelta(days=1)),
                    cell_name(datetime.date(2026, 11, 1)), cell_name(datetime.date(2026, 11, 30))]
        missing = [n for n in expected if n not in names]
        self.check("month-cell-names", not missing,
                   "day cells named “Today, Wednesday 25 November”, “Tuesday 24 November”…",
                   expected, f"missing {missing}; cells are named {names[:10]}")
        bad = [n for n in names if not CELL_RE.match(n)]
        self.check("month-cell-names-form", bool(cells) and not bad,
                   "every day cell named “[Today, ]Weekday D Month”", "all match",
                   f"{len(cells)} cells; not matching: {bad[:8]}")
        not_focusable = [n for c, n in zip(cells, names) if not has_state(c, "focusable")]
        self.check("month-cells-focusable", bool(cells) and not not_focusable,
                   "day cells are focusable", "state focusable on every cell",
                   f"{len(cells)} cells; not focusable: {not_focusable[:6]}")

    def chips(self, root):
        grid_cells = self.day_cells(root)
        if grid_cells:
            found = []
            for cell in grid_cells:
                found += find_all(cell, lambda a: role_of(a) == "push button")
            return found
        return find_all(root, lambda a: role_of(a) == "push button")

    def test_chips(self):
        grid = self.month_grid()
        if grid is None:
            self.check("chip-names", False, "chips in the month grid", "a month grid", "none")
            return
        buttons = find_all(grid, lambda a: role_of(a) == "push button")
        names = [name_of(b) for b in buttons]
        chips = [b for b, n in zip(buttons, names) if not n.startswith("+") and not MORE_RE.match(n)]
        chip_names = [name_of(b) for b in chips]
        # The daily Standup: whichever days have room for it in the grid
        standups = [n for n in chip_names if n.startswith("Standup, ")]
        self.check("chip-name-timed",
                   bool(standups) and all(re.match(r"^Standup, " + _DAY + r", 10:00 to 10:15, Team calendar$", n)
                                          for n in standups),
                   "an event chip's name: title, day, time, calendar",
                   "“Standup, <Weekday D Month>, 10:00 to 10:15, Team calendar”", f"chips named {standups[:4]}")
        name = "Mum’s birthday, Wednesday 25 November, all day, alex@example.com calendar"
        self.check("chip-name-all-day", name in chip_names, "an event chip's name: title, day, time, calendar",
                   f"“{name}”", f"chips named {[n for n in chip_names if n.split(',')[0] in name][:4]}")
        bad = [n for n in chip_names if not CHIP_RE.match(n)]
        self.check("chip-names-form", bool(chips) and not bad,
                   "every chip named “<title>, <Weekday D Month>, <start> to <end>|all day, <calendar> calendar”",
                   "all match", f"{len(chips)} chips; not matching: {bad[:6]}")
        expected_names = self.a.expected_chip_names()
        unknown = [n for n in chip_names if n not in expected_names]
        self.check("chip-names-match-events", bool(chips) and not unknown,
                   "every chip's day, time and calendar are its event's (from calsync --agenda --json)",
                   f"names such as {sorted(expected_names)[:2]}", f"{len(unknown)} others: {unknown[:6]}")

        # Thursday 26 November: 10 events; the chips in the tree and "+N more" add up to them
        thursday_day = "Thursday 26 November"
        total = len(self.a.agenda("2026-11-26", "2026-11-27"))
        thursday_date = datetime.date(2026, 11, 26)

        def covers_thursday(name):
            days = chip_days(name)
            if days is None:
                return False
            first, last = date_of_cell(days[0]), date_of_cell(days[1])
            return first is not None and last is not None and first <= thursday_date <= last
        # An event over several weeks is a chip in each week's row, all named alike
        in_tree = sorted({n for n in chip_names if covers_thursday(n)})
        more_n = [int(MORE_RE.match(n).group(1)) for n in names
                  if MORE_RE.match(n) and n.endswith(" on " + thursday_day)]
        self.check("chips-hidden-not-in-tree",
                   bool(more_n) and len(in_tree) + more_n[0] == total,
                   "hidden overflow chips are not in the tree: on Thursday 26 November the chips in "
                   "the tree plus “N more” are the day's events",
                   f"chips + N = {total}",
                   f"{len(in_tree)} chips named with that day + N = "
                   f"{more_n[0] if more_n else '(no “N more events on Thursday 26 November”)'}; "
                   f"the grid holds {len(chips)} chips, "
                   f"{len([n for n in chip_names if n.split(',')[0] == n])} of them named by title only")

        more = [n for n in names if n.startswith("+") or " more" in n]
        bad_more = [n for n in more if not MORE_RE.match(n)]
        thursday = [n for n in more if n.endswith(" on Thursday 26 November")]
        self.check("more-name", bool(more) and not bad_more and bool(thursday),
                   "“+N more” named “N more events on Thursday 26 November”",
                   "“N more events on Thursday 26 November” (and the same form for every day)",
                   f"{more[:6]}")

        # Colour dots: neither drawing areas nor unnamed images inside chips
        dots = []
        for chip in chips:
            for acc, depth in walk(chip):
                if depth and (role_of(acc) in ("drawing area", "image", "canvas")
                              or name_of(acc) == "GtkDrawingArea"):
                    dots.append(describe(acc))
        dots += [describe(a) for a in find_all(self.main_window(),
                                               lambda a: name_of(a) == "GtkDrawingArea")]
        self.check("no-colour-dots", not dots, "colour dots are not in the tree", "none",
                   f"{len(dots)}, e.g. {dots[:3]}")

    def test_empty_page_absent(self):
        found = find_all(self.main_window(), lambda a: name_of(a) in ("No Calendars Connected",
                                                                      "Connect Account…",
                                                                      "_Connect Account…"))
        self.check("empty-page-not-in-tree", not found,
                   "the hidden empty-state page is not in the tree (calendars are connected)",
                   "no “No Calendars Connected”, no “Connect Account…”",
                   [describe(a) for a in found][:4] or None)

    # 2. arrow keys in the grid ---------------------------------------------------
    def test_arrow_keys(self):
        self.a.focus_window()
        cell = self.tab_to(lambda f: role_of(f) in ("table cell", "grid cell"), max_tabs=40)
        start = date_of_cell(name_of(cell)) if cell is not None else None
        if not self.check("grid-tab-reaches-cell", start is not None,
                          "Tab reaches a day cell of the month grid",
                          "focus on a “table cell” named like a day", describe(focused(self.a.app))):
            return None
        day = start
        for key, delta in (("Right", 1), ("Left", -1), ("Down", 7), ("Up", -7)):
            target = day + datetime.timedelta(days=delta)
            got = self.wait_focus(lambda f: date_of_cell(name_of(f)) == target, 0.2)
            self.a.key(key)
            got = self.wait_focus(lambda f: date_of_cell(name_of(f)) == target, 3)
            self.check(f"grid-arrow-{key.lower()}", got is not None,
                       f"{key} moves focus from {day_name(day)} to {day_name(target)}",
                       f"focus on the cell “{cell_name(target)}”", describe(focused(self.a.app)))
            if got is None:
                return None
            day = target
        return day

    def test_enter_on_empty_day(self, day):
        """Enter on a day without events opens the New Event editor on that day
        (Sunday 22 November is empty in the seeded data)."""
        empty = datetime.date(2026, 11, 22)
        if day is None:
            self.check("grid-enter-empty-day", False, "Enter on an empty day offers New Event",
                       "arrow keys working first", "arrow keys did not move focus")
            return
        weeks, days = divmod((empty - day).days, 7)
        for key, count in (("Down" if weeks > 0 else "Up", abs(weeks)),
                           ("Right" if days > 0 else "Left", abs(days))):
            for _ in range(count):
                self.a.key(key)
                pump(0.1)
        at = self.wait_focus(lambda f: date_of_cell(name_of(f)) == empty, 3)
        if not self.check("grid-arrows-to-empty-day", at is not None,
                          "arrows reach Sunday 22 November", f"“{cell_name(empty)}”",
                          describe(focused(self.a.app))):
            return
        self.a.key("Return")
        editor = self.wait_window(lambda w: name_of(w) == "New Event" and w != self.main_window(), 5)
        start = find_one(editor, lambda a: name_of(a) == "Start date") if editor else None
        desc = description_of(start) if start else ""
        self.check("grid-enter-empty-day", editor is not None and ("22" in desc or "22" in
                                                                   (text_of(start) or "")),
                   "Enter on an empty day opens the New Event editor on that day",
                   "a “New Event” dialog whose Start date is 22 November",
                   f"editor {describe(editor)}, start date {describe(start)}")
        if editor is not None:
            self.close_editor(editor)

    # 2. Tab order in the week view ------------------------------------------------
    def test_week_tab_order(self):
        self.a.focus_window()
        self.a.key("alt+2")
        # C.UTF-8 weeks start on Sunday: the week of Wednesday 25 November is 22–28
        title = wait_until(lambda: (lambda t: t if t is not None and "–" in name_of(t) else None)(
            self.title_label()), 5)
        self.check("title-week", title is not None and name_of(title) == "22–28 November 2026",
                   "the header title names the shown week in full",
                   "“22–28 November 2026” (weeks start on Sunday in C.UTF-8)",
                   describe(title) if title else
                   "header labels " + str([name_of(a) for a in find_all(self.header(),
                                                                         lambda a: role_of(a) == "label")])
                   + "; week button " + str([describe(a) for a in find_all(
                       self.header(), lambda a: "Week" in name_of(a) and role_of(a) != "label")]))
        first = self.tab_to(lambda f: role_of(f) == "push button" and "," in name_of(f)
                            and name_of(f) not in ("Sync Calendars",), max_tabs=40)
        sequence = []
        if first is None:
            passed = []
            for _ in range(12):
                self.a.key("Tab")
                pump(0.2)
                passed.append(name_of(focused(self.a.app)))
            log(f"test-a11y: no week block with a full name reached by Tab; Tab went through {passed}")
        if first is not None:
            sequence.append(name_of(first))
            # A dozen blocks show the order (each Tab is slow under ASan)
            for _ in range(12):
                self.a.key("Tab")
                acc = wait_until(lambda: (lambda f: f if f is not None and name_of(f) != sequence[-1]
                                          else None)(focused(self.a.app)), 1)
                if acc is None or role_of(acc) != "push button" or "," not in name_of(acc):
                    break
                sequence.append(name_of(acc))
        keys = []
        unparsed = []
        for name in sequence:
            match = CHIP_RE.match(name)
            if not match:
                unparsed.append(name)
                continue
            day = date_of_cell(chip_days(name)[0])
            # Within a day, all-day bars first, then blocks by start time
            start = match.group("start") or ("00:00" if match.group("first") else
                                             re.search(r" (\d{1,2}:\d\d) to ", name).group(1))
            keys.append((day, start.zfill(5), name))
        ordered = keys == sorted(keys, key=lambda k: (k[0], k[1]))
        self.check("week-tab-order", len(sequence) >= 5 and not unparsed and ordered,
                   "Tab goes through the week's blocks by day, then by start time",
                   "≥5 blocks named with day and time, in (day, start) order",
                   f"{len(sequence)} blocks: {sequence[:12]}")
        self.a.key("alt+1")
        wait_until(lambda: self.month_grid(), 5)

    # 4. toast, Sync and focus --------------------------------------------------------
    def test_sync_focus_and_toast(self):
        self.a.focus_window()
        sync = self.tab_to(lambda f: name_of(f) == "Sync Calendars", max_tabs=200, key="shift+Tab")
        if not self.check("sync-focusable", sync is not None, "Tab reaches the Sync button",
                          "focus on “Sync Calendars”", describe(focused(self.a.app))):
            return
        mark = self.rec.mark()
        self.a.key("space")
        lost = []
        busy_seen = []

        def sync_done():
            events = self.rec.since(mark)
            busy_seen[:] = [e for e in events if e["type"] == "object:state-changed:busy"]
            ended = [e for e in busy_seen if e["detail1"] == 0]
            # GTK 4.8 may not send the event for busy going off: the state is read too
            idle = bool(busy_seen) and not has_state(sync, "busy")
            toast = self.toast_events(mark)
            return (ended or idle or toast) and len(events) > 0

        done = wait_until(sync_done, 30)
        pump(1.0)   # let focus settle after the sync
        for e in self.rec.since(mark, "object:state-changed:focused"):
            if e["detail1"] == 1 and e["name"] != "Sync Calendars":
                lost.append(f"{e['role']} “{e['name']}”")
        now = focused(self.a.app)
        self.check("sync-busy-state", bool(busy_seen),
                   "the Sync button reports its busy state while syncing (state-changed:busy)",
                   "a busy event", f"{len(busy_seen)} busy events; sync ended: {bool(done)}")
        self.check("sync-keeps-focus", not lost and now is not None and name_of(now) == "Sync Calendars",
                   "after Space on Sync, focus stays on “Sync Calendars” during and after the sync",
                   "no focus event elsewhere; focus on “Sync Calendars” at the end",
                   f"focus went to {lost[:5]}; now on {describe(now)}")
        self.a.key("Tab")
        after = wait_until(lambda: (lambda f: f if f is not None and name_of(f) != "Sync Calendars"
                                    else None)(focused(self.a.app)), 3)
        self.check("sync-tab-continues", after is not None and "Today" not in name_of(after),
                   "the next Tab after the sync continues from the Sync button (not from Today)",
                   "focus on the object after “Sync Calendars”", describe(after))

        toast = self.toast_events(mark)
        if not toast:
            # GTK < 4.14 has no announcements and emits no event when a widget is shown:
            # the window's live region (role alert) holding the toast's text is what a
            # screen reader can find
            toast = [f"{role_of(a)} “{name_of(a)}” in the tree" for a in find_all(
                self.main_window(), lambda a: role_of(a) in ("notification", "alert")
                and re.match(r"^(Could not sync|Synced|No calendars)", name_of(a)))]
        self.check("toast-announced", bool(toast),
                   "the sync's toast is announced (object:announcement, or a notification/alert "
                   "object becoming showing with the toast's text)",
                   "an announcement event with text",
                   f"{toast[:3]}; showing events: "
                   f"{[(e['role'], e['name']) for e in self.rec.since(mark, 'object:state-changed:showing') if e['detail1']][:8]}; "
                   f"events about alerts: "
                   f"{[(e['type'], e['role'], e['name'], e['any_data'], e['detail1']) for e in self.rec.since(mark) if 'alert' in (e['role'] + str(e['any_data'])) or 'notification' in (e['role'] + str(e['any_data']))][:8]}; "
                   f"notifications/alerts in the tree: "
                   f"{[describe(a) for a in find_all(self.main_window(), lambda a: role_of(a) in ('notification', 'alert'))][:4]}")

        close = wait_until(self.toast_buttons, 5) or []
        self.check("toast-close-named", any(name_of(c) == "Close" for c in close)
                   and not any(GTYPE_RE.match(name_of(c)) for c in close),
                   "the toast's close button is named “Close”", "a push button “Close”",
                   [describe(c) for c in close] or "no close button in the toast")
        doubled = [describe(c) for c in close
                   if (lambda w: len(w) >= 2 and len(w) % 2 == 0 and w[:len(w) // 2] == w[len(w) // 2:])(
                       name_of(c).replace("_", "").split(" "))]
        self.check("toast-read-once", bool(close) and not doubled,
                   "the toast's buttons are read once (not “Details Details”)", "no doubled name",
                   doubled or [describe(c) for c in close])

    def toast_buttons(self):
        """The push buttons next to the sync toast's title (“Could not sync…”, “Synced…”)."""
        title = find_one(self.main_window(), lambda a: role_of(a) == "label" and re.match(
            r"^(Could not sync|Synced|Sync)", name_of(a)) and name_of(a) != "Sync Calendars")
        node = title
        for _ in range(3):
            node = safe(lambda: node.parent, None) if node is not None else None
            if node is None:
                return []
            buttons = find_all(node, lambda a: role_of(a) == "push button")
            if buttons:
                return buttons
        return []

    def toast_events(self, mark):
        found = []
        for e in self.rec.since(mark):
            if e["type"] == "object:announcement" and (e["any_data"] or e["name"]):
                found.append(f"announcement “{e['any_data'] or e['name']}”")
            elif (e["type"] in ("object:state-changed:showing", "object:state-changed:visible")
                  and e["detail1"] == 1 and e["role"] in ("notification", "alert")
                  and e["name"].strip()):
                found.append(f"{e['role']} {e['type'].rsplit(':', 1)[1]} “{e['name']}”")
        return found

    # 4. editor ----------------------------------------------------------------------
    def close_editor(self, editor):
        name = name_of(editor)

        def gone():
            return not any(name_of(w) == name for w in self.a.windows())
        self.a.key("Escape")
        if not wait_until(gone, 5):
            self.a.key("ctrl+w")
            if not wait_until(gone, 5):
                log(f"test-a11y: the editor “{name}” did not close (Esc, Ctrl+W)")
        self.a.focus_window()

    def test_editor(self):
        self.a.focus_window()
        mark = self.rec.mark()
        self.a.key("ctrl+n")
        editor = self.wait_window(lambda w: w != self.main_window() and name_of(w) != "CalSync"
                                  and name_of(w) in ("New Event", "Edit Event")
                                  or (role_of(w) == "dialog" and w != self.main_window()), 10)
        self.check("editor-dialog", editor is not None and role_of(editor) == "dialog"
                   and name_of(editor) == "New Event",
                   "Ctrl+N opens a dialog named “New Event”", "role dialog, name “New Event”",
                   describe(editor) + f"; windows: {[describe(w) for w in self.a.windows()]}")
        if editor is None:
            return
        # Xvfb has no window manager: give the new window the input focus as one would
        # (what is checked is where the editor puts its focus, once it has it)
        ids = run(["xdotool", "search", "--onlyvisible", "--name", "^New Event$"], check=False).split()
        if ids:
            run(["xdotool", "windowfocus", "--sync", ids[-1]], check=False)
        inside = wait_until(lambda: (lambda f: f if f is not None and
                                     find_one(editor, lambda a: a == f) is not None else None)(
            focused(self.a.app)), 2)
        outside = focused(self.a.app) if inside is None else None
        via_tab = None
        if inside is None and outside is None:
            # GTK 4.8 + libadwaita 1.2: the focus widget of an AdwEntryRow is a GtkText
            # that is not in the accessibility tree, so no object reports it. Where the
            # focus is shows with the next Tab: the control after the title entry.
            self.a.key("Tab")
            via_tab = wait_until(lambda: (lambda f: f if f is not None and
                                          find_one(editor, lambda a: a == f) is not None else None)(
                focused(self.a.app)), 3)
        self.check("editor-focus",
                   (inside is not None and role_of(inside) in ("text", "entry"))
                   or (via_tab is not None and name_of(via_tab) == "Calendar"),
                   "focus is in the editor once it is presented (the title entry)",
                   "focus on the title entry (reported, or the next Tab lands on “Calendar”, the "
                   "control after it) and nowhere in the main window",
                   f"reported: {describe(inside) if inside else describe(outside)}; "
                   f"after one Tab: {describe(via_tab) if via_tab else '-'}")
        focus_events = [f"{e['role']} “{e['name']}”" for e in
                        self.rec.since(mark, "object:state-changed:focused") if e["detail1"]]
        in_main = [e for e in self.rec.since(mark, "object:state-changed:focused")
                   if e["detail1"] and find_one(self.main_window(), lambda a: a == e["source"]) is not None]
        self.check("editor-focus-event",
                   any("text" in f or "entry" in f or "Calendar" in f for f in focus_events) and not in_main,
                   "focus events go to the editor's controls, none to the main window (what Orca speaks)",
                   "state-changed:focused on the title entry (or, on GTK 4.8, the control after it)",
                   f"{focus_events[:6]}; in the main window: {[(e['role'], e['name']) for e in in_main][:4]}")

        self.check_read_twice("editor", editor)
        for label in ("Start date", "End date"):
            button = find_one(editor, lambda a: name_of(a) == label)
            self.check(f"editor-{label.lower().replace(' ', '-')}",
                       button is not None and bool(description_of(button).strip()),
                       f"the editor's “{label}” button, with the date as description",
                       f"an object named “{label}” with a description",
                       describe(button) if button else
                       [describe(b) for b in find_all(editor, lambda a: role_of(a) == "push button")][:8])
        calendar = find_one(editor, lambda a: name_of(a) == "Calendar" and role_of(a) != "label")
        value = description_of(calendar) if calendar is not None else ""
        self.check("editor-calendar", calendar is not None and bool(value.strip())
                   and not GTYPE_RE.match(value),
                   "the calendar drop-down is named “Calendar” and exposes the chosen calendar",
                   "an object “Calendar” with the chosen calendar as its description",
                   (describe(calendar) + "; inside it: " + ", ".join(
                       f"“{name_of(a)}”" for a, d in walk(calendar) if d and name_of(a))) if calendar else
                   [describe(b) for b in find_all(editor, lambda a: role_of(a) in ("combo box", "push button",
                                                                                    "toggle button"))][:8])
        self.test_gtype_names("editor", editor)
        self.close_editor(editor)

    # 4. Esc on a popover ----------------------------------------------------------------
    def test_popover_escape(self):
        self.a.focus_window()
        chip = self.tab_to(lambda f: role_of(f) == "push button" and name_of(f).startswith("Standup"),
                           max_tabs=80)
        if not self.check("popover-chip-focus", chip is not None, "Tab reaches a Standup chip",
                          "focus on a chip", describe(focused(self.a.app))):
            return
        chip_name = name_of(chip)
        self.a.key("Return")
        opened = wait_until(lambda: children_of(chip) or
                            (lambda f: f if f is not None and name_of(f) != chip_name else None)(
                                focused(self.a.app)), 3)
        inside = focused(self.a.app)
        self.check("popover-opens", bool(opened), "Enter on the chip opens its popover",
                   "a popover under the chip", f"chip children {[describe(c) for c in children_of(chip)]}"
                   f"; focus on {describe(inside)}")
        self.check("popover-takes-focus", inside is not None and not (
                       name_of(inside) == chip_name and role_of(inside) == "push button"),
                   "focus moves into the open popover", "focus inside the popover", describe(inside))
        if not opened:
            self.check("popover-escape-focus", False, "Esc on an event popover returns focus to its chip",
                       "an open popover first", "the popover did not open")
            return
        mark = self.rec.mark()
        self.a.key("Escape")
        back = self.wait_focus(lambda f: name_of(f) == chip_name and role_of(f) == "push button", 3)
        moves = [f"{e['role']} “{e['name']}”" for e in self.rec.since(mark, "object:state-changed:focused")
                 if e["detail1"]]
        self.check("popover-escape-focus", back is not None and wait_until(lambda: not children_of(chip), 2)
                   is not None,
                   "Esc on an event popover closes it and returns focus to its chip", f"focus on “{chip_name}”",
                   f"{describe(focused(self.a.app))}; focus events: {moves[:5]}")

    # 5. Preferences ----------------------------------------------------------------------
    def test_preferences(self):
        self.a.focus_window()
        self.a.key("ctrl+comma")
        prefs = self.wait_window(lambda w: has_state(w, "showing") and w != self.main_window()
                                 and name_of(w) != "CalSync", 10)
        if not self.check("prefs-opens", prefs is not None, "Ctrl+, opens Preferences",
                          "a new window", [describe(w) for w in self.a.windows()]):
            return
        pump(1.0)
        self.check_read_twice("preferences", prefs)
        # Each sync error once: every line of every name and description in the
        # window that tells of an error, counted (short titles such as "Last sync
        # failed", which a row and its label share, are left out)
        error_re = re.compile(r"(?i)sign-in|error|fail|could not|denied|unauthori|reconnect")
        said = {}
        for acc, _ in walk(prefs):
            for line in (name_of(acc) + "\n" + description_of(acc)).splitlines():
                line = line.strip()
                if len(line) >= 30 and error_re.search(line):
                    said[("", line)] = said.get(("", line), 0) + 1
        errors = said
        repeated = {m: n for (c, m), n in errors.items() if n != 1}
        self.check("prefs-errors-once", bool(errors) and not repeated,
                   "Preferences: each calendar's sync error is read once",
                   "each (calendar, error) once",
                   f"{len(errors)} errors; read more than once: {repeated}" if errors
                   else "no sync error in Preferences (the failed sync should leave some)")
        switches = find_all(prefs, lambda a: role_of(a) in ("check box", "switch", "toggle button")
                            and not name_of(a).startswith("GtkMenuButton"))
        unnamed = [describe(s) for s in switches if not name_of(s).strip() or GTYPE_RE.match(name_of(s))]
        self.check("prefs-switches-named", bool(switches) and not unnamed,
                   "calendar switches have names", "every switch named", unnamed[:6] or f"{len(switches)} switches")
        self.test_gtype_names("preferences", prefs)
        dump(prefs, "Preferences")
        self.a.key("Escape")
        if not wait_until(lambda: not has_state(prefs, "showing"), 3):
            self.a.key("ctrl+w")
            wait_until(lambda: not has_state(prefs, "showing"), 3)
        self.a.focus_window()

    # 7. 360 px -----------------------------------------------------------------------
    def test_narrow(self):
        run(["xdotool", "windowsize", "--sync", self.a.window_id, "360", "700"], check=False)
        pump(1.0)
        label = wait_until(lambda: self.title_label(), 3)
        name = name_of(label) if label else ""
        self.check("title-360px", label is not None and name == "Nov 2026",
                   "at 360 px the title is the short form, not an ellipsis (AT-SPI gives a label's "
                   "whole text even when it is drawn “N…”, so the short form is what is checked)",
                   "“Nov 2026” (no “…”)", describe(label))
        self.test_gtype_names("main window at 360 px")
        run(["xdotool", "windowsize", "--sync", self.a.window_id, "1280", "800"], check=False)
        pump(1.0)


def main():
    global pyatspi, GLib
    if len(sys.argv) != 3:
        log("usage: test-a11y.py CALSYNC_BINARY CALSYNC_SEED_BINARY")
        return 99
    calsync, seeder = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])

    try:
        import gi
        gi.require_version("Atspi", "2.0")
        from gi.repository import GLib as glib
        GLib = glib
    except (ImportError, ValueError) as e:
        not_available(f"no GObject introspection for AT-SPI ({e}; Debian: python3-gi, gir1.2-atspi-2.0)")
    if not os.environ.get("DISPLAY"):
        not_available("no X display (run under xvfb-run, see .ci/test-suite.sh)")
    if shutil.which("xdotool") is None:
        not_available("xdotool not found (Debian: xdotool)")
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        not_available("no session bus (run under dbus-run-session or tests/run-with-keyring.sh)")

    tmp = tempfile.mkdtemp(prefix="calsync-a11y-")
    results = Results(os.environ.get("CALSYNC_A11Y_ONLY"))
    recorder = None
    status = 0
    try:
        for key, value in FIXED_ENV.items():
            os.environ[key] = value
        # Both sides on this session's AT-SPI bus, whatever the X root window says
        os.environ["AT_SPI_BUS_ADDRESS"] = a11y_bus_address()
        try:
            import pyatspi as module
            pyatspi = module
        except ImportError as e:
            not_available(f"pyatspi missing ({e}; Debian: python3-pyatspi)")

        app = App(calsync, seeder, tmp)
        app.seed()
        app.expected_chip_names()
        app.agenda("2026-11-26", "2026-11-27")
        recorder = Recorder()
        app.start()
        pump(1.0)
        test = Test(app, results, recorder)

        steps = [
            ("header", test.test_header),
            ("title", test.test_title),
            ("gtype", test.test_gtype_names),
            ("read-once", lambda: test.check_read_twice("main window", test.main_window())),
            ("grid", test.test_month_grid),
            ("chips", test.test_chips),
            ("empty-page", test.test_empty_page_absent),
        ]
        for step_id, step in steps:
            if results.wanted(step_id):
                run_step(step_id, step, results)
        dump(app.window, "main window (month view, 1280×800)")

        # Sync while the focus is still in the header (from deep in the grid, Tab
        # takes a hundred steps to get back to it)
        if results.wanted("sync"):
            run_step("sync", test.test_sync_focus_and_toast, results)
        if results.wanted("grid"):
            day = run_step("arrows", test.test_arrow_keys, results)
            run_step("enter-empty-day", lambda: test.test_enter_on_empty_day(day), results)
        for step_id, step in [
            ("editor", test.test_editor),
            ("popover", test.test_popover_escape),
            ("preferences", test.test_preferences),
            ("week", test.test_week_tab_order),
            ("narrow", test.test_narrow),
        ]:
            if results.wanted(step_id):
                run_step(step_id, step, results)
        app.quit()
    except SystemExit:
        raise
    except Exception:
        log("test-a11y: the harness broke:\n" + traceback.format_exc())
        status = 99
    finally:
        if recorder is not None:
            recorder.stop()
        stop_all()
        shutil.rmtree(tmp, ignore_errors=True)

    log(f"\ntest-a11y: {len(results.passed)} checks passed, {len(results.failed)} failed")
    if results.failed:
        log("failed: " + ", ".join(results.failed))
    if status:
        return status
    return 1 if results.failed else 0


def run_step(step_id, step, results):
    """One group of checks; an exception in it is that group's failure, not the end."""
    try:
        return step()
    except Exception:
        results.record(f"{step_id}-harness", False, f"the checks of “{step_id}” raised",
                       "no exception", traceback.format_exc().strip().splitlines()[-1])
        log(traceback.format_exc())
        return None


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        stop_all()
