"""Optimizers vs Keras's update rules written out in NumPy (float64), schedules vs closed forms."""

import copy
import inspect
import math
import warnings

import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob.optimizers import schedules

# ----------------------------------------------------------------------------- Keras references
# Each reference takes the initial weights, a list of gradients (one per step) and the
# hyper-parameters, and returns the weights after those steps, following the update_step code
# of keras/src/optimizers/*.py. ``lrs`` is the learning rate used at each step.


def keras_sgd(w, grads, lrs, momentum=0.0, nesterov=False, weight_decay=None):
    w, m = w.copy(), np.zeros_like(w)
    for g, lr in zip(grads, lrs):
        if weight_decay:
            w = w - w * weight_decay * lr
        if momentum:
            m = m * momentum - g * lr
            w = w + (m * momentum - g * lr if nesterov else m)
        else:
            w = w - g * lr
    return w


def keras_adam(w, grads, lrs, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False, weight_decay=None):
    w, m, v, vhat = w.copy(), np.zeros_like(w), np.zeros_like(w), np.zeros_like(w)
    for t, (g, lr) in enumerate(zip(grads, lrs), start=1):
        if weight_decay:
            w = w - w * weight_decay * lr
        alpha = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        m = m + (g - m) * (1 - b1)
        v = v + (g * g - v) * (1 - b2)
        if amsgrad:
            vhat = np.maximum(vhat, v)
            denom = np.sqrt(vhat) + eps
        else:
            denom = np.sqrt(v) + eps
        w = w - m * alpha / denom
    return w


def keras_rmsprop(w, grads, lrs, rho=0.9, momentum=0.0, eps=1e-7, centered=False):
    w, vel, mom, avg = w.copy(), np.zeros_like(w), np.zeros_like(w), np.zeros_like(w)
    for g, lr in zip(grads, lrs):
        vel = rho * vel + (1 - rho) * g * g
        if centered:
            avg = rho * avg + (1 - rho) * g
            denom = vel - avg * avg + eps
        else:
            denom = vel + eps
        inc = lr * g / np.sqrt(denom)
        if momentum > 0:
            mom = momentum * mom + inc
            w = w - mom
        else:
            w = w - inc
    return w


def keras_adagrad(w, grads, lrs, init=0.1, eps=1e-7):
    w, acc = w.copy(), np.full_like(w, init)
    for g, lr in zip(grads, lrs):
        acc = acc + g * g
        w = w - lr * g / np.sqrt(acc + eps)
    return w


def keras_adadelta(w, grads, lrs, rho=0.95, eps=1e-7):
    w, ag, adv = w.copy(), np.zeros_like(w), np.zeros_like(w)
    for g, lr in zip(grads, lrs):
        ag = rho * ag + (1 - rho) * g * g
        delta = -np.sqrt(adv + eps) * g / np.sqrt(ag + eps)
        adv = rho * adv + (1 - rho) * delta * delta
        w = w + lr * delta
    return w


def keras_adamax(w, grads, lrs, b1=0.9, b2=0.999, eps=1e-7):
    w, m, u = w.copy(), np.zeros_like(w), np.zeros_like(w)
    for t, (g, lr) in enumerate(zip(grads, lrs), start=1):
        m = m + (g - m) * (1 - b1)
        u = np.maximum(b2 * u, np.abs(g))
        w = w - lr * m / ((1 - b1**t) * (u + eps))
    return w


def keras_nadam(w, grads, lrs, b1=0.9, b2=0.999, eps=1e-7):
    w, m, v, u_product = w.copy(), np.zeros_like(w), np.zeros_like(w), 1.0
    for t, (g, lr) in enumerate(zip(grads, lrs), start=1):
        u_product = u_product * b1 * (1 - 0.5 * 0.96**t)
        u_t = b1 * (1 - 0.5 * 0.96**t)
        u_t1 = b1 * (1 - 0.5 * 0.96 ** (t + 1))
        u_product_t1 = u_product * u_t1
        m = m + (g - m) * (1 - b1)
        v = v + (g * g - v) * (1 - b2)
        m_hat = u_t1 * m / (1 - u_product_t1) + (1 - u_t) * g / (1 - u_product)
        v_hat = v / (1 - b2**t)
        w = w - m_hat * lr / (np.sqrt(v_hat) + eps)
    return w


def run_deepprob(opt, w0, grads):
    """Apply ``grads`` one per step to float32 copies of ``w0`` (a Dense-like pair)."""
    w = torch.nn.Parameter(torch.tensor(w0, dtype=torch.float32))
    b = torch.nn.Parameter(torch.tensor(w0[0], dtype=torch.float32))
    opt.build([w, b])
    for g in grads:
        w.grad = torch.tensor(g, dtype=torch.float32)
        b.grad = torch.tensor(g[0], dtype=torch.float32)
        opt.step()
    return w.detach().double().numpy(), b.detach().double().numpy()


def gradients(steps, scale=1.0, seed=0, shape=(4, 3)):
    rng = np.random.default_rng(seed)
    # varying magnitudes across elements and steps so that maxima / epsilons matter
    return [(rng.normal(size=shape) * scale * rng.uniform(0.1, 3.0, size=shape)).astype(np.float32)
            .astype(np.float64) for _ in range(steps)]


W0 = np.random.default_rng(42).normal(size=(4, 3)).astype(np.float32).astype(np.float64)

CASES = [
    ("sgd", lambda: dp.optimizers.SGD(0.1), keras_sgd, {}),
    ("sgd_momentum", lambda: dp.optimizers.SGD(0.1, momentum=0.9), keras_sgd,
     {"momentum": 0.9}),
    ("sgd_nesterov", lambda: dp.optimizers.SGD(0.05, momentum=0.8, nesterov=True), keras_sgd,
     {"momentum": 0.8, "nesterov": True}),
    ("sgd_weight_decay", lambda: dp.optimizers.SGD(0.1, momentum=0.5, weight_decay=0.1),
     keras_sgd, {"momentum": 0.5, "weight_decay": 0.1}),
    ("adam", lambda: dp.optimizers.Adam(0.01), keras_adam, {}),
    ("adam_amsgrad", lambda: dp.optimizers.Adam(0.01, amsgrad=True), keras_adam,
     {"amsgrad": True}),
    ("adam_weight_decay", lambda: dp.optimizers.Adam(0.01, weight_decay=0.05), keras_adam,
     {"weight_decay": 0.05}),
    ("adamw", lambda: dp.optimizers.AdamW(0.01), keras_adam, {"weight_decay": 0.004}),
    ("rmsprop", lambda: dp.optimizers.RMSprop(0.01), keras_rmsprop, {}),
    ("rmsprop_momentum", lambda: dp.optimizers.RMSprop(0.01, momentum=0.9), keras_rmsprop,
     {"momentum": 0.9}),
    ("rmsprop_centered", lambda: dp.optimizers.RMSprop(0.01, rho=0.8, centered=True),
     keras_rmsprop, {"rho": 0.8, "centered": True}),
    ("adagrad", lambda: dp.optimizers.Adagrad(0.1), keras_adagrad, {}),
    ("adadelta", lambda: dp.optimizers.Adadelta(1.0), keras_adadelta, {}),
    ("adamax", lambda: dp.optimizers.Adamax(0.01), keras_adamax, {}),
    ("nadam", lambda: dp.optimizers.Nadam(0.01), keras_nadam, {}),
]


@pytest.mark.parametrize("steps", [1, 6])
@pytest.mark.parametrize("name,make,reference,hyper", CASES, ids=[c[0] for c in CASES])
def test_update_matches_keras_rule(name, make, reference, hyper, steps):
    opt = make()
    grads = gradients(steps)
    lrs = [opt.learning_rate] * steps
    w, b = run_deepprob(opt, W0, grads)
    np.testing.assert_allclose(w, reference(W0, grads, lrs, **hyper), rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(b, reference(W0[0], [g[0] for g in grads], lrs, **hyper),
                               rtol=2e-5, atol=1e-6)
    assert opt.iterations == steps


@pytest.mark.parametrize("name,make,reference", [
    ("adam", lambda: dp.optimizers.Adam(1.0), keras_adam),
    ("rmsprop", lambda: dp.optimizers.RMSprop(1.0), keras_rmsprop),
    ("nadam", lambda: dp.optimizers.Nadam(1.0), keras_nadam),
])
def test_epsilon_placement_with_tiny_gradients(name, make, reference):
    # gradients ~1e-5: epsilon=1e-7 placement changes the update by O(1) factors here
    grads = gradients(4, scale=1e-5, seed=3)
    w, _ = run_deepprob(make(), W0, grads)
    expected = reference(W0, grads, [1.0] * 4)
    np.testing.assert_allclose(w - W0, expected - W0, rtol=1e-3, atol=1e-6)
    if name != "nadam":
        # the placement really matters: torch's default formula gives something else
        torch_cls = {"adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop}[name]
        extra = {"alpha": 0.9} if name == "rmsprop" else {}
        p = torch.nn.Parameter(torch.tensor(W0))
        plain = torch_cls([p], lr=1.0, eps=1e-7, **extra)
        for g in grads:
            p.grad = torch.tensor(g)
            plain.step()
        assert np.abs((p.detach().numpy() - W0) - (expected - W0)).max() > 1e-3 * np.abs(
            expected - W0).max()


def test_defaults_equal_keras():
    expected = {
        dp.optimizers.SGD: dict(learning_rate=0.01, momentum=0.0, nesterov=False,
                                weight_decay=None),
        dp.optimizers.Adam: dict(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                                 amsgrad=False),
        dp.optimizers.RMSprop: dict(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                                    centered=False),
        dp.optimizers.Adagrad: dict(learning_rate=0.001, initial_accumulator_value=0.1,
                                    epsilon=1e-7),
        dp.optimizers.Adadelta: dict(learning_rate=0.001, rho=0.95, epsilon=1e-7),
        dp.optimizers.Adamax: dict(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7),
        dp.optimizers.Nadam: dict(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7),
        dp.optimizers.AdamW: dict(learning_rate=0.001, weight_decay=0.004, beta_1=0.9,
                                  beta_2=0.999, epsilon=1e-7, amsgrad=False),
    }
    for cls, defaults in expected.items():
        sig = inspect.signature(cls)
        opt = cls()
        for arg, value in defaults.items():
            assert sig.parameters[arg].default == value, (cls, arg)
            assert getattr(opt, arg) == value, (cls, arg)
        for arg in ("clipnorm", "clipvalue", "global_clipnorm"):
            assert sig.parameters[arg].default is None
    assert dp.optimizers.Adam().get_config()["name"] == "adam"


def test_legacy_lr_really_sets_the_rate():
    with pytest.warns(DeprecationWarning, match="lr"):
        opt = dp.optimizers.RMSprop(lr=1e-4)
    assert opt.learning_rate == 1e-4
    grads = gradients(3)
    w, _ = run_deepprob(opt, W0, grads)
    np.testing.assert_allclose(w, keras_rmsprop(W0, grads, [1e-4] * 3), rtol=1e-5, atol=1e-7)
    assert opt.torch_optimizer.param_groups[0]["lr"] == 1e-4
    with pytest.warns(DeprecationWarning):
        assert dp.optimizers.SGD(lr=1e-8, momentum=0.9).learning_rate == 1e-8
    with pytest.raises(ValueError, match="learning_rate.*lr"):
        dp.optimizers.Adam(learning_rate=0.01, lr=0.1)
    # an explicit learning_rate equal to the default still conflicts
    with pytest.raises(ValueError, match="only `learning_rate`"):
        dp.optimizers.Adam(learning_rate=0.001, lr=0.1)


def test_legacy_decay_is_inverse_time_decay():
    with pytest.warns(DeprecationWarning, match="decay"):
        opt = dp.optimizers.SGD(0.1, decay=0.5)
    grads = gradients(4)
    w, _ = run_deepprob(opt, W0, grads)
    lrs = [0.1 / (1 + 0.5 * t) for t in range(4)]
    np.testing.assert_allclose(w, keras_sgd(W0, grads, lrs), rtol=1e-5, atol=1e-7)
    assert opt.learning_rate == pytest.approx(0.1 / 3)


# ----------------------------------------------------------------------------- schedules
def test_schedules_closed_forms():
    s = schedules.ExponentialDecay(0.1, 10, 0.5)
    for step in (0, 3, 10, 25):
        assert s(step) == pytest.approx(0.1 * 0.5 ** (step / 10))
    s = schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True)
    assert [s(k) for k in (0, 9, 10, 19, 20)] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])
    s = schedules.PiecewiseConstantDecay([5, 10], [1.0, 0.5, 0.1])
    assert [s(k) for k in (0, 5, 6, 10, 11, 100)] == [1.0, 1.0, 0.5, 0.5, 0.1, 0.1]
    s = schedules.InverseTimeDecay(0.2, 4, 0.5)
    for step in (0, 2, 7):
        assert s(step) == pytest.approx(0.2 / (1 + 0.5 * step / 4))
    s = schedules.InverseTimeDecay(0.2, 4, 0.5, staircase=True)
    assert s(7) == pytest.approx(0.2 / 1.5)
    s = schedules.CosineDecay(0.4, 100, alpha=0.1)
    for step in (0, 30, 100, 150):
        k = min(step, 100)
        assert s(step) == pytest.approx(0.4 * (0.9 * 0.5 * (1 + math.cos(math.pi * k / 100)) + 0.1))
    s = schedules.CosineDecay(0.0, 100, warmup_target=1.0, warmup_steps=10)
    assert s(5) == pytest.approx(0.5)
    assert s(10) == pytest.approx(1.0)
    assert s(60) == pytest.approx(0.5)
    assert s(1000) == pytest.approx(0.0, abs=1e-12)
    s = schedules.PolynomialDecay(1.0, 10, end_learning_rate=0.1, power=2.0)
    for step in (0, 4, 10, 30):
        k = min(step, 10)
        assert s(step) == pytest.approx(0.9 * (1 - k / 10) ** 2 + 0.1)
    s = schedules.PolynomialDecay(1.0, 10, end_learning_rate=0.0, cycle=True)
    assert s(15) == pytest.approx(1.0 - 15 / 20)
    s = schedules.CosineDecayRestarts(1.0, 10, t_mul=2.0, m_mul=0.5)
    assert s(5) == pytest.approx(0.5)  # half way through the first period
    assert s(10) == pytest.approx(0.5)  # restart at half the peak
    assert s(20) == pytest.approx(0.5 * 0.5 * (1 + math.cos(math.pi * 0.5)))
    assert float(s(torch.tensor(5))) == pytest.approx(0.5)


def test_schedule_errors_and_serialization():
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="one more"):
        schedules.PiecewiseConstantDecay([1, 2], [1.0, 0.5])
    with pytest.raises(ValueError, match="increasing"):
        schedules.PiecewiseConstantDecay([2, 1], [1.0, 0.5, 0.1])
    s = schedules.CosineDecay(0.1, 50, alpha=0.2, warmup_target=0.3, warmup_steps=5)
    s2 = schedules.deserialize(schedules.serialize(s))
    assert [s2(k) for k in (0, 3, 20, 80)] == [s(k) for k in (0, 3, 20, 80)]
    with pytest.raises(ValueError, match="Did you mean 'CosineDecay'"):
        schedules.deserialize({"class_name": "CosineDecy", "config": {}})


def test_schedule_drives_the_rate_and_sgd_momentum_stays_keras():
    schedule = schedules.ExponentialDecay(0.1, 2, 0.5)
    opt = dp.optimizers.SGD(schedule, momentum=0.9)
    grads = gradients(6)
    w, _ = run_deepprob(opt, W0, grads)
    lrs = [schedule(t) for t in range(6)]
    # Keras keeps lr inside the velocity; torch would apply the new rate to the whole buffer
    np.testing.assert_allclose(w, keras_sgd(W0, grads, lrs, momentum=0.9), rtol=1e-5, atol=1e-6)
    assert opt.learning_rate == pytest.approx(schedule(6))
    assert opt.torch_optimizer.param_groups[0]["lr"] == pytest.approx(schedule(5))
    with pytest.raises(TypeError, match="schedule"):
        opt.learning_rate = 0.1


@pytest.mark.parametrize("make,reference", [
    (lambda s: dp.optimizers.Adam(s), keras_adam),
    (lambda s: dp.optimizers.RMSprop(s, momentum=0.5), lambda *a: keras_rmsprop(*a,
                                                                                momentum=0.5)),
    (lambda s: dp.optimizers.Adagrad(s), keras_adagrad),
])
def test_schedule_in_adaptive_optimizers(make, reference):
    schedule = schedules.PiecewiseConstantDecay([1, 3], [0.1, 0.02, 0.005])
    grads = gradients(5)
    w, _ = run_deepprob(make(schedule), W0, grads)
    np.testing.assert_allclose(w, reference(W0, grads, [schedule(t) for t in range(5)]),
                               rtol=2e-5, atol=1e-6)


def test_callable_learning_rates():
    opt = dp.optimizers.SGD(lambda step: 0.1 / (1 + step))
    grads = gradients(3)
    w, _ = run_deepprob(opt, W0, grads)
    np.testing.assert_allclose(w, keras_sgd(W0, grads, [0.1, 0.05, 0.1 / 3]), rtol=1e-5)
    assert dp.optimizers.SGD(lambda: 0.25).learning_rate == 0.25  # Keras: no-argument callable


def test_learning_rate_setter_updates_torch_groups():
    opt = dp.optimizers.Adam(0.01)
    grads = gradients(4)
    w = torch.nn.Parameter(torch.tensor(W0, dtype=torch.float32))
    opt.build([w])
    for k, g in enumerate(grads):
        if k == 2:
            opt.learning_rate = 0.003  # what ReduceLROnPlateau does
            assert opt.torch_optimizer.param_groups[0]["lr"] == 0.003
        w.grad = torch.tensor(g, dtype=torch.float32)
        opt.step()
    expected = keras_adam(W0, grads, [0.01, 0.01, 0.003, 0.003])
    np.testing.assert_allclose(w.detach().numpy(), expected, rtol=2e-5, atol=1e-6)
    opt.lr = 0.5  # tf.keras 2 alias
    assert opt.learning_rate == 0.5
    with pytest.raises(ValueError, match="learning_rate"):
        opt.learning_rate = -1.0


# ----------------------------------------------------------------------------- clipping
def test_clipnorm_clipvalue_global_clipnorm():
    g1 = np.array([3.0, 4.0])  # norm 5
    g2 = np.array([0.3, 0.4])  # norm 0.5
    for kwargs, expected in [
        ({"clipnorm": 1.0}, [g1 / 5, g2]),
        ({"clipvalue": 0.35}, [np.clip(g1, -0.35, 0.35), np.clip(g2, -0.35, 0.35)]),
        ({"global_clipnorm": 1.0}, [g1 / math.sqrt(25.25), g2 / math.sqrt(25.25)]),
        ({"global_clipnorm": 10.0}, [g1, g2]),
    ]:
        opt = dp.optimizers.SGD(1.0, **kwargs)
        a = torch.nn.Parameter(torch.zeros(2))
        b = torch.nn.Parameter(torch.zeros(2))
        opt.build([a, b])
        a.grad, b.grad = torch.tensor(g1, dtype=torch.float32), torch.tensor(g2,
                                                                            dtype=torch.float32)
        opt.step()
        np.testing.assert_allclose(-a.detach().numpy(), expected[0], rtol=1e-6)
        np.testing.assert_allclose(-b.detach().numpy(), expected[1], rtol=1e-6)
    with pytest.raises(ValueError, match="only one of"):
        dp.optimizers.Adam(clipnorm=1.0, clipvalue=0.5)
    with pytest.raises(ValueError, match="clipnorm"):
        dp.optimizers.Adam(clipnorm=-1.0)


# ----------------------------------------------------------------------------- state / config
@pytest.mark.parametrize("make", [
    lambda: dp.optimizers.Adam(0.01, amsgrad=True),
    lambda: dp.optimizers.SGD(schedules.ExponentialDecay(0.1, 2, 0.7), momentum=0.9),
    lambda: dp.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    lambda: dp.optimizers.Nadam(0.01),
    lambda: dp.optimizers.Adagrad(0.1),
])
def test_state_dict_round_trip_continues_identically(make):
    grads = gradients(6, seed=7)
    w_ref = torch.nn.Parameter(torch.tensor(W0, dtype=torch.float32))
    opt = make()
    opt.build([w_ref])
    for g in grads[:3]:
        w_ref.grad = torch.tensor(g, dtype=torch.float32)
        opt.step()
    state = copy.deepcopy(opt.state_dict())  # like torch, state_dict shares tensors
    w_copy = torch.nn.Parameter(w_ref.detach().clone())
    for g in grads[3:]:
        w_ref.grad = torch.tensor(g, dtype=torch.float32)
        opt.step()
    fresh = make()
    fresh.load_state_dict(state)  # before build: applied by build
    fresh.build([w_copy])
    assert fresh.iterations == 3
    for g in grads[3:]:
        w_copy.grad = torch.tensor(g, dtype=torch.float32)
        fresh.step()
    torch.testing.assert_close(w_copy.detach(), w_ref.detach(), rtol=0, atol=0)
    assert fresh.iterations == opt.iterations == 6


def test_config_round_trip():
    for opt in (dp.optimizers.Adam(0.02, beta_1=0.8, clipnorm=1.0),
                dp.optimizers.SGD(schedules.CosineDecay(0.1, 100), momentum=0.9, nesterov=True),
                dp.optimizers.RMSprop(0.01, rho=0.8, centered=True, global_clipnorm=2.0),
                dp.optimizers.AdamW(weight_decay=0.01)):
        config = opt.get_config()
        again = type(opt).from_config(config)
        assert again.get_config() == config
        restored = dp.optimizers.deserialize(dp.optimizers.serialize(opt))
        assert type(restored) is type(opt) and restored.get_config() == config
    # a Keras 3 / tf.keras config with extra keys loads
    keras_config = {"name": "adam", "learning_rate": 0.001, "weight_decay": None,
                    "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
                    "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                    "loss_scale_factor": None, "gradient_accumulation_steps": None,
                    "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False,
                    "jit_compile": True, "is_legacy_optimizer": False}
    assert dp.optimizers.Adam.from_config(keras_config).epsilon == 1e-7


def test_get():
    for name, cls in [("sgd", "SGD"), ("Adam", "Adam"), ("RMSprop", "RMSprop"),
                      ("ADAGRAD", "Adagrad"), ("adadelta", "Adadelta"), ("adamax", "Adamax"),
                      ("nadam", "Nadam"), ("adamw", "AdamW")]:
        assert type(dp.optimizers.get(name)).__name__ == cls
    opt = dp.optimizers.SGD(0.3)
    assert dp.optimizers.get(opt) is opt
    assert dp.optimizers.get({"class_name": "SGD", "config": {"learning_rate": 0.3}}
                             ).learning_rate == 0.3
    assert isinstance(dp.optimizers.get(dp.optimizers.Nadam), dp.optimizers.Nadam)
    with pytest.raises(ValueError, match="Did you mean 'rmsprop'"):
        dp.optimizers.get("rmsporp")
    with pytest.raises(TypeError, match="optimizer"):
        dp.optimizers.get(3.0)


# ----------------------------------------------------------------------------- custom loops
def test_minimize_and_apply_gradients():
    # Keras docstring example: RMSprop(0.1) on loss w**2 / 2 from w = 10 gives 9.683772
    w = torch.nn.Parameter(torch.tensor(10.0))
    opt = dp.optimizers.RMSprop(learning_rate=0.1)
    loss = opt.minimize(lambda: w**2 / 2.0, [w])
    assert float(w.detach()) == pytest.approx(9.683772, abs=1e-5)
    assert float(loss) == pytest.approx(50.0)
    # apply_gradients updates only the listed variables and leaves .grad untouched
    a = torch.nn.Parameter(torch.tensor([1.0]))
    b = torch.nn.Parameter(torch.tensor([1.0]))
    sgd = dp.optimizers.SGD(0.5)
    sgd.build([a, b])
    b.grad = torch.tensor([7.0])
    assert sgd.apply_gradients([(torch.tensor([2.0]), a)]) == 1
    assert float(a) == pytest.approx(0.0) and float(b) == 1.0
    assert float(b.grad) == 7.0 and a.grad is None
    # a variable not seen before extends the optimizer
    c = torch.nn.Parameter(torch.tensor([4.0]))
    sgd.apply_gradients([(torch.tensor([2.0]), c)])
    assert float(c) == pytest.approx(3.0)
    with pytest.raises(ValueError, match="shape"):
        sgd.apply_gradients([(torch.ones(3), c)])
    with pytest.raises(ValueError, match="does not depend"):
        sgd.minimize(torch.tensor(1.0), [c])
    # a Module as var_list
    lin = torch.nn.Linear(2, 1)
    x, y = torch.randn(16, 2), torch.randn(16, 1)
    before = ((lin(x) - y) ** 2).mean().item()
    adam = dp.optimizers.Adam(0.05)
    for _ in range(20):
        adam.minimize(lambda: ((lin(x) - y) ** 2).mean(), lin)
    assert ((lin(x) - y) ** 2).mean().item() < before


def test_build_is_idempotent_and_rebuild_keeps_state():
    lin1, lin2 = torch.nn.Linear(3, 3), torch.nn.Linear(3, 1)
    opt = dp.optimizers.Adam(0.01)
    opt.build(lin1.parameters())
    torch_opt = opt.torch_optimizer
    opt.build(list(lin1.parameters()))
    assert opt.torch_optimizer is torch_opt and opt.built
    for p in lin1.parameters():
        p.grad = torch.ones_like(p)
    opt.step()
    moment = opt.torch_optimizer.state[lin1.weight]["exp_avg"].clone()
    opt.build([*lin1.parameters(), *lin2.parameters()])  # unfreezing more layers
    assert opt.torch_optimizer is not torch_opt
    torch.testing.assert_close(opt.torch_optimizer.state[lin1.weight]["exp_avg"], moment)
    assert len(opt.variables) == 4


def test_step_without_build_and_empty_params():
    with pytest.raises(RuntimeError, match="build"):
        dp.optimizers.SGD().step()
    opt = dp.optimizers.SGD()
    opt.build([])  # a fully frozen model trains nothing, but iterations still count
    opt.step()
    opt.zero_grad()
    assert opt.iterations == 1


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="learning_rate"):
        dp.optimizers.Adam(learning_rate=-0.1)
    with pytest.raises(TypeError, match="learning_rate"):
        dp.optimizers.Adam(learning_rate="fast")
    with pytest.raises(TypeError, match="Did you mean 'momentum'"):
        dp.optimizers.SGD(momentun=0.9)
    with pytest.raises(ValueError, match="momentum"):
        dp.optimizers.SGD(momentum=1.5)
    with pytest.raises(ValueError, match="beta_1"):
        dp.optimizers.Adam(beta_1=1.0)
    with pytest.raises(NotImplementedError, match="use_ema"):
        dp.optimizers.Adam(use_ema=True)
    with pytest.raises(TypeError, match="params"):
        dp.optimizers.Adam().build([1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dp.optimizers.Adam(use_ema=False, ema_momentum=0.99)  # Keras defaults are accepted
