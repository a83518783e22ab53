"""The Bijector base class: user subclasses, calling conventions, keyword routing, errors."""

from __future__ import annotations

import copy
import math

import pytest
import torch

import deepprob as dp

tfb, tfd = dp.bijectors, dp.distributions


class Cubic(tfb.Bijector):
    """Verbatim port of the course's cubic bijector (attributes before super().__init__)."""

    def __init__(self, a, b, validate_args=False, name="Cubic"):
        self.a = torch.as_tensor(a, dtype=torch.float32)
        self.b = torch.as_tensor(b, dtype=torch.float32)
        super().__init__(validate_args=validate_args, forward_min_event_ndims=0, name=name)

    def _forward(self, x):
        return torch.squeeze(torch.pow(self.a * x + self.b, 3))

    def _inverse(self, y):
        return (torch.sign(y) * torch.pow(torch.abs(y), 1 / 3) - self.b) / self.a

    def _forward_log_det_jacobian(self, x):
        return torch.log(3.0 * torch.abs(self.a)) + 2.0 * torch.log(torch.abs(self.a * x + self.b))


class TrainableShift(tfb.Bijector):
    """PyTorch style: super().__init__ first, then a trainable parameter; only the inverse
    log-det is given (the forward one is derived)."""

    def __init__(self):
        super().__init__(forward_min_event_ndims=0, is_constant_jacobian=True)
        self.shift = torch.nn.Parameter(torch.tensor(0.5))

    def _forward(self, x):
        return x + self.shift

    def _inverse(self, y):
        return y - self.shift

    def _inverse_log_det_jacobian(self, y):
        return torch.zeros_like(y)


class ConditionalShift(tfb.Bijector):
    def __init__(self, name="cond"):
        super().__init__(forward_min_event_ndims=0, name=name)

    def _forward(self, x, conditional_input=None):
        return x + conditional_input

    def _inverse(self, y, conditional_input=None):
        return y - conditional_input

    def _forward_log_det_jacobian(self, x, conditional_input=None):
        return torch.zeros_like(x)


def test_course_cubic_subclass():
    cubic = Cubic(0.25, -1.0)
    x = torch.tensor([1.0, 2.0, 3.0])
    y = cubic.forward(x)
    torch.testing.assert_close(y, (0.25 * x - 1.0) ** 3)
    torch.testing.assert_close(cubic.inverse(y), x, rtol=1e-5, atol=1e-5)
    # inverse log-det derived as -fldj(inverse(y))
    expected = -(math.log(0.75) + 2 * torch.log(torch.abs(0.25 * x - 1.0)))
    torch.testing.assert_close(cubic.inverse_log_det_jacobian(y, event_ndims=0), expected,
                               rtol=1e-5, atol=1e-5)
    assert cubic.name == "Cubic"


def test_parameters_assigned_before_super_init_are_registered():
    class Early(tfb.Bijector):
        def __init__(self):
            self.s = torch.nn.Parameter(torch.tensor(2.0))
            self.inner = tfb.Shift(torch.nn.Parameter(torch.tensor(1.0)))
            super().__init__(forward_min_event_ndims=0)

        def _forward(self, x):
            return self.inner.forward(x * self.s)

    names = sorted(n for n, _ in Early().named_parameters())
    assert names == ["inner.shift", "s"]


def test_fldj_derived_from_ildj_and_trainable():
    b = TrainableShift()
    assert [n for n, _ in b.named_parameters()] == ["shift"]
    x = torch.randn(4, 2)
    torch.testing.assert_close(b.forward_log_det_jacobian(x, event_ndims=1), torch.zeros(4))
    b.forward(x).sum().backward()
    assert b.shift.grad == 8.0
    assert b.name == "trainable_shift"


def test_missing_log_det_raises():
    class NoLdj(tfb.Bijector):
        def __init__(self):
            super().__init__(forward_min_event_ndims=0)

        def _forward(self, x):
            return x

    with pytest.raises(NotImplementedError, match="_forward_log_det_jacobian"):
        NoLdj().forward_log_det_jacobian(torch.zeros(2))
    with pytest.raises(ValueError, match="forward_min_event_ndims"):
        tfb.Bijector()


def test_call_dispatch():
    exp = tfb.Exp()
    torch.testing.assert_close(exp(torch.tensor([0.0, 1.0])), torch.tensor([1.0, math.e]))
    chained = exp(tfb.Shift(1.0))
    assert isinstance(chained, tfb.Chain)
    torch.testing.assert_close(chained.forward(torch.tensor([0.0])), torch.tensor([math.e]))
    dist = exp(tfd.Normal(0.0, 1.0))
    assert isinstance(dist, tfd.TransformedDistribution)
    torch.testing.assert_close(dist.log_prob(1.0), tfd.Normal(0.0, 1.0).log_prob(0.0))


def test_kwargs_reach_hooks_and_chain_routes_by_name():
    c = torch.tensor([1.0, -2.0])
    b = ConditionalShift()
    torch.testing.assert_close(b.forward(torch.zeros(2), conditional_input=c), c)
    chain = tfb.Chain([tfb.Scale(2.0), ConditionalShift("cond")])
    x = torch.tensor([0.5, 0.5])
    y = chain.forward(x, cond={"conditional_input": c})
    torch.testing.assert_close(y, 2 * (x + c))
    torch.testing.assert_close(chain.inverse(y, cond={"conditional_input": c}), x)
    ldj = chain.forward_log_det_jacobian(x, event_ndims=1, cond={"conditional_input": c})
    torch.testing.assert_close(ldj, torch.tensor(2 * math.log(2.0)))
    with pytest.raises(ValueError, match="Did you mean 'cond'"):
        chain.forward(x, con={"conditional_input": c})
    with pytest.raises(TypeError, match="must be a dict"):
        chain.forward(x, cond=c)
    inv = tfb.Invert(ConditionalShift())  # Invert passes kwargs straight through
    torch.testing.assert_close(inv.forward(x, conditional_input=c), x - c)


def test_inputs_are_converted_and_errors_name_arguments():
    torch.testing.assert_close(tfb.Exp().forward([0.0, 0.0]), torch.ones(2))
    with pytest.raises(ValueError, match="event_ndims"):
        tfb.Exp().forward_log_det_jacobian(torch.zeros(2), event_ndims=-1)
    with pytest.raises(ValueError, match="exceeds the rank of `x`"):
        tfb.Exp().forward_log_det_jacobian(torch.zeros(2), event_ndims=2)
    with pytest.raises(TypeError, match="Argument `x`"):
        tfb.Exp().forward("abc")


def test_constant_log_det_counts_every_reduced_element():
    # Scale's log-det is log|scale| (a scalar, kept unbroadcast as TFP); over a [4, 3] event it
    # counts 12 times
    ldj = tfb.Scale(2.0).forward_log_det_jacobian(torch.zeros(5, 4, 3), event_ndims=2)
    torch.testing.assert_close(ldj, torch.tensor(12 * math.log(2.0)))
    ldj = tfb.Scale(torch.tensor([1.0, 2.0, 4.0])).forward_log_det_jacobian(
        torch.zeros(5, 4, 3), event_ndims=2)
    torch.testing.assert_close(ldj, torch.tensor(4 * math.log(8.0)))


def test_experimental_batch_shape():
    assert tfb.Shift([1.0, 2.0]).experimental_batch_shape() == (2,)
    assert tfb.Shift([1.0, 2.0]).experimental_batch_shape(x_event_ndims=1) == ()
    assert tfb.ScaleMatvecDiag(torch.ones(4, 3)).experimental_batch_shape() == (4,)
    chain = tfb.Chain([tfb.Shift(torch.zeros(5, 1)), tfb.Scale(torch.ones(3))])
    assert chain.experimental_batch_shape() == (5, 3)
    assert chain.experimental_batch_shape(x_event_ndims=1) == (5,)


def test_deepcopy_state_dict_and_device_moves():
    b = tfb.Chain([tfb.Shift(torch.nn.Parameter(torch.tensor(1.0))), tfb.Permute([1, 0])])
    clone = copy.deepcopy(b)
    with torch.no_grad():
        b.bijectors[0].shift.add_(1.0)
    assert clone.bijectors[0].shift.item() == 1.0
    clone.load_state_dict(b.state_dict())
    assert clone.bijectors[0].shift.item() == 2.0
    assert set(b.state_dict()) == {"bijectors.0.shift", "bijectors.1.permutation"}
    b64 = b.to(torch.float64)
    assert b64.forward(torch.zeros(2, dtype=torch.float64)).dtype == torch.float64


def test_methods_on_symbolic_inputs_build_models_that_own_the_parameters():
    shift = torch.nn.Parameter(torch.tensor([0.5, -0.5]))
    chain = tfb.Chain([tfb.Shift(shift), tfb.Exp()])
    x_ = dp.Input(shape=(2,))
    y_ = chain.forward(x_)
    ldj_ = chain.forward_log_det_jacobian(x_, event_ndims=1)
    model = dp.Model(x_, [y_, ldj_])
    assert any(p is shift for p in model.parameters())
    x = torch.randn(3, 2)
    y, ldj = model(x)
    torch.testing.assert_close(y, torch.exp(x) + shift)
    torch.testing.assert_close(ldj, x.sum(-1))


class Transpose(tfb.Bijector):
    """An image-space bijector in the courses' style: swap height and width of (H, W, C)
    images, a volume-preserving map with a constant zero log-det and its own event shapes
    (given through TFP's ``*_event_shape_tensor`` hooks)."""

    def __init__(self):
        super().__init__(forward_min_event_ndims=3, is_constant_jacobian=True,
                         name="transpose")

    def _forward(self, x):
        return torch.transpose(x, -3, -2)

    def _inverse(self, y):
        return torch.transpose(y, -3, -2)

    def _forward_log_det_jacobian(self, x):
        return 0.0

    def _forward_event_shape_tensor(self, input_shape):
        return torch.stack([input_shape[-2], input_shape[-3], input_shape[-1]])

    def _inverse_event_shape_tensor(self, output_shape):
        return torch.stack([output_shape[-2], output_shape[-3], output_shape[-1]])


def test_image_space_subclass_with_event_shape_hooks():
    b = Transpose()
    x = torch.randn(5, 4, 3, 2)
    y = b.forward(x)
    assert y.shape == (5, 3, 4, 2)
    torch.testing.assert_close(b.inverse(y), x)
    assert b.forward_event_shape([4, 3, 2]) == (3, 4, 2)
    assert b.inverse_event_shape([3, 4, 2]) == (4, 3, 2)
    torch.testing.assert_close(b.forward_log_det_jacobian(x, event_ndims=3), torch.tensor(0.0))
    torch.testing.assert_close(b.inverse_log_det_jacobian(y, event_ndims=4), torch.tensor(0.0))
