"""Loss reductions and sample weights (Keras 3 semantics), wrappers for any callable, get /
serialize / deserialize."""

import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob import losses


def t(a):
    return torch.tensor(np.asarray(a), dtype=torch.float32)


Y, P = t([[0.0], [1.0], [2.0], [4.0]]), t([[1.0], [1.0], [1.0], [1.0]])
PER = np.array([1.0, 0.0, 1.0, 9.0])
SW = np.array([1.0, 2.0, 3.0, 0.5])


@pytest.mark.parametrize("sw", [SW, SW[:, None], list(SW)])
def test_reductions_with_sample_weight(sw):
    weighted = PER * SW
    mse = losses.MeanSquaredError
    assert float(mse()(Y, P, sample_weight=sw)) == pytest.approx(weighted.sum() / 4)
    assert float(mse(reduction="mean")(Y, P, sample_weight=sw)) == pytest.approx(
        weighted.sum() / 4)
    assert float(mse(reduction="sum")(Y, P, sample_weight=sw)) == pytest.approx(weighted.sum())
    assert float(mse(reduction="mean_with_sample_weight")(Y, P, sample_weight=sw)) == \
        pytest.approx(weighted.sum() / SW.sum())
    np.testing.assert_allclose(mse(reduction="none")(Y, P, sample_weight=sw).numpy(), weighted)
    np.testing.assert_allclose(mse(reduction=None)(Y, P).numpy(), PER)


def test_scalar_weight_and_per_element_values():
    assert float(losses.MeanSquaredError()(Y, P, sample_weight=2.0)) == pytest.approx(
        2 * PER.mean())
    # per-element values (n, t) with per-sample weights (n,): divided by n * t
    values = t([[1.0, 2.0], [3.0, 4.0]])
    got = losses.reduce_weighted(values, t([1.0, 0.0]), "sum_over_batch_size")
    assert float(got) == pytest.approx(3.0 / 4)


def test_invalid_reduction_is_named():
    with pytest.raises(ValueError, match=r"`reduction`.*'avg'"):
        losses.MeanSquaredError(reduction="avg")


def test_positional_arguments_follow_keras():
    assert losses.Huber(2.0).fn_kwargs == {"delta": 2.0}
    assert losses.MeanSquaredError("sum").reduction == "sum"
    loss = losses.BinaryCrossentropy(True, 0.1)
    assert loss.fn_kwargs["from_logits"] is True and loss.fn_kwargs["label_smoothing"] == 0.1
    with pytest.raises(TypeError, match="deltta"):
        losses.Huber(deltta=1.0)


def test_default_names_are_keras_names():
    assert losses.MeanSquaredError().name == "mean_squared_error"
    assert losses.Huber().name == "huber_loss"
    assert losses.SparseCategoricalCrossentropy().name == "sparse_categorical_crossentropy"
    assert losses.LogCosh(name="lc").name == "lc"


def test_subclassed_loss():
    class Cubed(losses.Loss):
        def call(self, y_true, y_pred):
            return ((y_pred - y_true) ** 3).mean(-1)

    assert float(Cubed()(Y, P)) == pytest.approx(np.mean((1 - Y.numpy()[:, 0]) ** 3))
    assert float(Cubed(reduction="sum")(Y, P)) == pytest.approx(np.sum((1 - Y.numpy()[:, 0]) ** 3))
    assert float(Cubed("sum", "c")(Y, P)) == pytest.approx(np.sum((1 - Y.numpy()[:, 0]) ** 3))


def test_wrapper_of_distribution_loss_and_scalar_loss():
    normal = dp.distributions.Normal(loc=torch.zeros(3, 1), scale=2.0)
    y = t([[0.0], [1.0], [-2.0]])
    loss = losses.get(lambda y, rv: -rv.log_prob(y))
    expected = 0.5 * np.log(2 * np.pi * 4) + y.numpy() ** 2 / 8
    assert float(loss(y, normal)) == pytest.approx(expected.mean(), rel=1e-6)
    sw = t([1.0, 0.0, 2.0])
    assert float(loss(y, normal, sample_weight=sw)) == pytest.approx(
        (expected[:, 0] * sw.numpy()).sum() / 3, rel=1e-6)
    scalar = losses.LossFunctionWrapper(lambda y, p: ((y - p) ** 2).sum(), name="sse")
    assert scalar.name == "sse" and float(scalar(Y, P)) == pytest.approx(PER.sum())
    python_float = losses.LossFunctionWrapper(lambda y, p: 1.5)
    assert float(python_float(Y, P)) == 1.5
    with pytest.raises(ValueError, match="`fn`"):
        losses.LossFunctionWrapper("mse")


def test_wrapper_passes_keyword_arguments():
    loss = losses.LossFunctionWrapper(losses.huber, delta=0.5)
    y, p = t([[0.0]]), t([[3.0]])
    assert float(loss(y, p)) == pytest.approx(0.5 * 3 - 0.125)


@pytest.mark.parametrize("name,cls", [
    ("mse", losses.MeanSquaredError), ("MSE", losses.MeanSquaredError),
    ("mean_squared_error", losses.MeanSquaredError), ("mae", losses.MeanAbsoluteError),
    ("mape", losses.MeanAbsolutePercentageError), ("msle", losses.MeanSquaredLogarithmicError),
    ("huber", losses.Huber), ("huber_loss", losses.Huber), ("log_cosh", losses.LogCosh),
    ("logcosh", losses.LogCosh), ("kld", losses.KLDivergence),
    ("kl_divergence", losses.KLDivergence), ("poisson", losses.Poisson),
    ("hinge", losses.Hinge), ("squared_hinge", losses.SquaredHinge),
    ("categorical_hinge", losses.CategoricalHinge), ("cosine_similarity", losses.CosineSimilarity),
    ("binary_crossentropy", losses.BinaryCrossentropy),
    ("categorical_crossentropy", losses.CategoricalCrossentropy),
    ("sparse_categorical_crossentropy", losses.SparseCategoricalCrossentropy),
    ("binary_focal_crossentropy", losses.BinaryFocalCrossentropy),
    ("BinaryCrossentropy", losses.BinaryCrossentropy), ("Huber", losses.Huber),
])
def test_get_resolves_names(name, cls):
    loss = losses.get(name)
    assert type(loss) is cls


def test_get_resolves_classes_instances_functions_and_callables():
    inst = losses.Huber(delta=3.0)
    assert losses.get(inst) is inst
    assert type(losses.get(losses.Poisson)) is losses.Poisson
    assert type(losses.get(losses.mse)) is losses.MeanSquaredError

    def my_loss(y_true, y_pred):
        return (y_true - y_pred).abs().mean(-1)

    wrapped = losses.get(my_loss)
    assert isinstance(wrapped, losses.LossFunctionWrapper) and wrapped.name == "my_loss"
    assert float(wrapped(Y, P)) == pytest.approx(np.abs(Y.numpy() - 1).mean())
    with pytest.raises(ValueError, match=r"`loss`.*mean_squared_error"):
        losses.get("mean_squared_eror")
    with pytest.raises(ValueError, match="`loss`"):
        losses.get(3)


@pytest.mark.parametrize("loss", [
    losses.Huber(delta=2.5, reduction="sum", name="h"),
    losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
    losses.CategoricalCrossentropy(label_smoothing=0.2, reduction="none"),
    losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0),
    losses.CosineSimilarity(axis=1), losses.MeanAbsoluteError(),
    losses.LossFunctionWrapper(losses.poisson, name="p"),
])
def test_serialize_round_trip_gives_the_same_values(loss):
    again = losses.deserialize(losses.serialize(loss))
    assert type(again) is type(loss) and again.get_config() == loss.get_config()
    y = torch.tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    p = torch.tensor([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1]])
    if isinstance(loss, losses.SparseCategoricalCrossentropy):
        y = torch.tensor([1, 2])
    torch.testing.assert_close(again(y, p), loss(y, p))
    assert type(loss).from_config(loss.get_config()).get_config() == loss.get_config()


def test_serialize_functions_and_errors():
    assert losses.serialize(losses.mean_squared_error) == "mean_squared_error"
    assert type(losses.deserialize("mse")) is losses.MeanSquaredError
    with pytest.raises(ValueError, match="config"):
        losses.deserialize({"class_name": "Hubber", "config": {}})
    with pytest.raises(ValueError, match="`loss`"):
        losses.serialize(lambda y, p: y)
