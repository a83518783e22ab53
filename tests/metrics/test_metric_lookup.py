"""dp.metrics.get: Keras's resolution of "accuracy"/"acc" from the loss and the shapes, names kept
as written (History keys), callables, unknown names; serialize / deserialize."""

import pytest
import torch

from deepprob import losses, metrics

SPARSE, BINARY, CAT = (metrics.SparseCategoricalAccuracy, metrics.BinaryAccuracy,
                       metrics.CategoricalAccuracy)


@pytest.mark.parametrize("loss,y_shape,p_shape,expected", [
    # from the loss, whatever the shapes
    ("sparse_categorical_crossentropy", (8,), (8, 10), SPARSE),
    ("sparse_categorical_crossentropy", (8, 1), (8, 10), SPARSE),
    (losses.SparseCategoricalCrossentropy(from_logits=True), None, None, SPARSE),
    (losses.sparse_categorical_crossentropy, None, None, SPARSE),
    ("binary_crossentropy", (8, 1), (8, 1), BINARY),
    ("binary_crossentropy", (8, 3), (8, 3), BINARY),  # multi-label sigmoid outputs
    (losses.BinaryCrossentropy(), None, None, BINARY),
    (losses.BinaryFocalCrossentropy(), (8, 3), (8, 3), BINARY),
    ("categorical_crossentropy", (8, 10), (8, 10), CAT),
    (losses.CategoricalCrossentropy(label_smoothing=0.1), None, None, CAT),
    # otherwise from the shapes (Keras 2's rule)
    ("mse", (8, 1), (8, 1), BINARY),
    ("mse", (8,), (8, 1), BINARY),
    ("mse", (8, 1), (8, 5), SPARSE),
    ("mse", (8,), (8, 5), SPARSE),
    ("mse", (8, 5), (8, 5), CAT),
    (None, (8, 20, 1), (8, 20, 7), SPARSE),
    (lambda y, rv: -rv.log_prob(y), (8, 3), (8, 3), CAT),
    (None, None, None, CAT),
])
def test_accuracy_resolution(loss, y_shape, p_shape, expected):
    loss_obj = losses.get(loss) if isinstance(loss, str) else loss
    for name in ("accuracy", "acc", "Accuracy"):
        for spec in (loss, loss_obj):
            m = metrics.get(name, loss=spec, y_true_shape=y_shape, y_pred_shape=p_shape)
            assert type(m) is expected and m.name == name


def test_resolved_accuracy_computes_the_right_thing():
    p = torch.tensor([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]])
    m = metrics.get("acc", loss="sparse_categorical_crossentropy")
    assert float(m(torch.tensor([1, 2]), p)) == 0.5
    m = metrics.get("accuracy", loss="binary_crossentropy")
    assert float(m(torch.tensor([[1.0], [0.0]]), torch.tensor([[0.8], [0.9]]))) == 0.5


def test_crossentropy_shorthand_resolves_like_accuracy():
    m = metrics.get("crossentropy", y_true_shape=(4,), y_pred_shape=(4, 3))
    assert type(m) is metrics.SparseCategoricalCrossentropy and m.name == "crossentropy"
    assert type(metrics.get("ce", loss="binary_crossentropy")) is metrics.BinaryCrossentropy


@pytest.mark.parametrize("name,cls", [
    ("mse", metrics.MeanSquaredError), ("mae", metrics.MeanAbsoluteError),
    ("mape", metrics.MeanAbsolutePercentageError), ("msle", metrics.MeanSquaredLogarithmicError),
    ("AUC", metrics.AUC), ("auc", metrics.AUC), ("precision", metrics.Precision),
    ("Precision", metrics.Precision), ("recall", metrics.Recall),
    ("top_k_categorical_accuracy", metrics.TopKCategoricalAccuracy),
    ("sparse_top_k_categorical_accuracy", metrics.SparseTopKCategoricalAccuracy),
    ("binary_crossentropy", metrics.BinaryCrossentropy),
    ("categorical_crossentropy", metrics.CategoricalCrossentropy),
    ("sparse_categorical_crossentropy", metrics.SparseCategoricalCrossentropy),
    ("sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy),
    ("RootMeanSquaredError", metrics.RootMeanSquaredError), ("rmse", metrics.RootMeanSquaredError),
    ("kld", metrics.KLDivergence), ("logcosh", metrics.LogCoshError),
])
def test_names_resolve_and_keep_the_written_name(name, cls):
    m = metrics.get(name)
    assert type(m) is cls and m.name == name


def test_instances_classes_callables_and_errors():
    auc = metrics.AUC(curve="PR")
    assert metrics.get(auc) is auc
    assert type(metrics.get(metrics.Recall)) is metrics.Recall

    def rel_error(y_true, y_pred):
        return ((y_true - y_pred) / y_true).abs().mean(-1)

    m = metrics.get(rel_error)
    assert isinstance(m, metrics.MeanMetricWrapper) and m.name == "rel_error"
    assert float(m(torch.tensor([[2.0], [4.0]]), torch.tensor([[1.0], [1.0]]))) == \
        pytest.approx((0.5 + 0.75) / 2)
    with pytest.raises(ValueError, match=r"`metrics`.*'acuracy'.*Did you mean 'accuracy'"):
        metrics.get("acuracy")
    with pytest.raises(ValueError, match="`metrics`"):
        metrics.get(42)


@pytest.mark.parametrize("metric", [
    metrics.AUC(num_thresholds=50, curve="PR", name="pr_auc"),
    metrics.AUC(thresholds=[0.2, 0.6], multi_label=True),
    metrics.Precision(thresholds=[0.3, 0.6], name="p"), metrics.Recall(top_k=2, class_id=1),
    metrics.BinaryAccuracy(threshold=0.3), metrics.TopKCategoricalAccuracy(k=2),
    metrics.SparseCategoricalCrossentropy(from_logits=True), metrics.RootMeanSquaredError(),
    metrics.Mean(name="m", dtype=torch.float64), metrics.TruePositives(thresholds=0.2),
    metrics.MeanMetricWrapper(metrics.binary_accuracy, threshold=0.7),
])
def test_serialize_round_trip(metric):
    again = metrics.deserialize(metrics.serialize(metric))
    assert type(again) is type(metric) and again.get_config() == metric.get_config()
    assert again.name == metric.name and again.dtype == metric.dtype


def test_deserialize_unknown_class_is_named():
    with pytest.raises(ValueError, match=r"`config`.*'Recal'.*'Recall'"):
        metrics.deserialize({"class_name": "Recal", "config": {}})
