import io
import re

from _cb_helpers import make_data, make_model

import deepprob as dp


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_verbose_2_one_line_per_epoch():
    x, y = make_data(64)
    model = make_model()
    out = io.StringIO()
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0,
                        callbacks=[dp.callbacks.ProgbarLogger(verbose=2, stream=out)])
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    for i, line in enumerate(lines):
        assert re.fullmatch(rf"Epoch {i + 1}/3 - \d+s \d+(us|ms)/step - loss: \d\.\d{{4}}", line)
        assert float(line.rsplit(": ", 1)[1]) == round(history.history["loss"][i], 4)


def test_verbose_1_in_a_log_file_has_no_carriage_returns():
    x, y = make_data(64)
    model = make_model(metrics=["mae"])
    out = io.StringIO()
    model.fit(x, y, epochs=2, batch_size=16, verbose=0, validation_split=0.25,
              callbacks=[dp.callbacks.ProgbarLogger(verbose=1, stream=out)])
    text = out.getvalue()
    assert "\r" not in text
    lines = text.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert lines[1].startswith("3/3 [==============================] - ")
    assert " - loss: " in lines[1] and " - val_mae: " in lines[1]


def test_live_bar_redraws_at_a_bounded_rate_and_reads_logs_only_then():
    x, y = make_data(640)
    model = make_model()
    calls = []
    original = model._logs

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    model._logs = counting
    out = Tty()
    bar = dp.callbacks.ProgbarLogger(verbose=1, stream=out, interval=3600.0)
    model.fit(x, y, epochs=1, batch_size=16, verbose=0, callbacks=[bar])
    assert len(calls) == 1  # the epoch's logs only: no per-step read for 40 steps
    assert out.getvalue().startswith("Epoch 1/1\n\r40/40 [")
    calls.clear()
    out = Tty()
    bar = dp.callbacks.ProgbarLogger(verbose=1, stream=out, interval=0.0)
    model.fit(x, y, epochs=1, batch_size=16, verbose=0, callbacks=[bar])
    assert len(calls) == 41  # every step redrawn when asked to
    frames = out.getvalue().split("\r")[1:]
    assert frames[0].startswith(" 1/40 [>") and "ETA: " in frames[0]
    assert frames[-1].startswith("40/40 [=====") and frames[-1].endswith("\n")
    # A shorter frame blanks the rest of a longer one.
    assert all(len(f.rstrip("\n")) >= len(frames[0].rstrip("\n")) - 1 for f in frames)


def test_evaluate_and_silence(capsys):
    x, y = make_data(64)
    model = make_model()
    model.fit(x, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""
    model.evaluate(x, y, batch_size=16, verbose=1)
    out = capsys.readouterr().out
    assert re.match(r"4/4 \[=+\] - \d+s \d+(us|ms)/step - loss: \d\.\d{4}\n", out)
