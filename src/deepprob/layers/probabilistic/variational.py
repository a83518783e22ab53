"""Dense layers with distributions over their weights (Bayes by backprop).

* :class:`DenseVariational` (TFP's ``DenseVariational`` v2): posterior and prior are models
  built by ``make_posterior_fn(kernel_size, bias_size, dtype)`` and ``make_prior_fn(...)``; one
  joint sample of all weights per forward pass; ``kl_weight * KL(q || p)`` joins the losses.
* :class:`DenseReparameterization`, :class:`DenseFlipout`, :class:`DenseLocalReparameterization`
  (TFP's v1 layers): per-weight posterior / prior builders
  ``fn(dtype, shape, name, trainable, add_variable_fn)`` and divergence functions
  ``fn(q, p, q_sample)`` whose value is added to the losses as is (scale it by the dataset size
  yourself: ``kernel_divergence_fn=lambda q, p, _: kl_divergence(q, p) / n``).

Weights are resampled at every call, in training and in inference, as TFP does, so repeated
``model(x)`` calls give the epistemic spread (see ``dp.uncertainty.predictive``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F

from deepprob.engine.layer import InputSpec, Layer
from deepprob.layers.probabilistic import _coercion
from deepprob.layers.probabilistic.util import (
    default_mean_field_normal_fn,
    default_multivariate_normal_fn,
)


def _activation(activation):
    from deepprob import activations

    if activation is None:
        return None
    fn = activations.get(activation)
    return None if activations.serialize(fn) == "linear" else fn


def _positive(value, name: str, layer: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(
            f"Argument `{name}` of {layer}: expected a positive integer, received {value!r}."
        )
    return value


def _kl_q_p(q, p, ignore=None):
    """Default divergence: the closed-form ``KL(q || p)``."""
    from deepprob.distributions import kl_divergence

    return kl_divergence(q, p)


def _sample(d):
    """Default posterior tensor: one sample."""
    return d.sample()


def rademacher(shape, dtype=torch.float32, device=None) -> torch.Tensor:
    """Random signs (+1 / -1 with probability 1/2 each)."""
    return torch.randint(0, 2, tuple(shape), device=device).to(dtype) * 2 - 1


def _same_input_each_time(prior, inputs) -> bool:
    """Whether a parameter-free prior model ignores its input (the courses' fixed prior)."""
    if isinstance(prior, torch.nn.Module) and any(True for _ in prior.parameters()):
        return False
    try:
        with torch.no_grad():
            a = prior(inputs)
            b = prior(inputs + 1.0)
            return torch.equal(a.sample(seed=0), b.sample(seed=0)) and torch.equal(
                a.mean(), b.mean())
    except Exception:  # noqa: BLE001 - any failure: do not cache
        return False


_LOG_2PI = math.log(2 * math.pi)


class _FastPosterior:
    """The courses' posteriors ``Sequential([VariableLayer(params_size(n)), IndependentNormal(n)
    | MultivariateNormalTriL(n)])`` read straight from the variable: one reparameterized draw
    ``w = loc + scale @ eps`` and ``log q(w) = -|eps|^2 / 2 - sum(log diag scale) - n log(2 pi)
    / 2`` (the same function of the parameters as the distribution's ``log_prob(w)``, so the
    same gradients), without building distribution objects each step."""

    def __init__(self, variable: torch.nn.Parameter, n: int, kind: str, fill=None):
        self.variable, self.n, self.kind = variable, n, kind
        if kind == "tril":
            m = n * (n + 1) // 2
            # Where FillScaleTriL puts each packed value (TFP's fill_triangular order).
            with torch.no_grad():
                pos = fill(torch.arange(1, m + 1, dtype=torch.float64)).round().long() - 1
            rows, cols = torch.tril_indices(n, n, offset=-1)
            self.rows, self.cols, self.src = rows, cols, pos[rows, cols]
            self.diag_src = torch.diagonal(pos).clone()

    def sample_and_log_prob(self) -> tuple[torch.Tensor, torch.Tensor]:
        v, n = self.variable, self.n
        loc = v[:n]
        eps = torch.randn(n, dtype=v.dtype, device=v.device)
        if self.kind == "normal":
            scale = F.softplus(v[n:])
            w = torch.addcmul(loc, scale, eps)
            log_det = torch.log(scale).sum()
        else:
            packed = v[n:]
            if self.src.device != v.device:
                for name in ("rows", "cols", "src", "diag_src"):
                    setattr(self, name, getattr(self, name).to(v.device))
            diag = F.softplus(packed[self.diag_src]) + 1e-5
            lower = torch.zeros(n, n, dtype=v.dtype, device=v.device).index_put(
                (self.rows, self.cols), packed[self.src])
            w = loc + lower @ eps + diag * eps
            log_det = torch.log(diag).sum()
        log_q = -0.5 * (eps @ eps) - log_det - 0.5 * n * _LOG_2PI
        return w, log_q


def _fast_posterior(posterior, n: int) -> _FastPosterior | None:
    """A :class:`_FastPosterior` when ``posterior`` is one of the courses' standard forms."""
    from deepprob.engine.sequential import Sequential
    from deepprob.layers.probabilistic import distribution_layer as dl
    from deepprob.layers.probabilistic.variable import VariableLayer

    if type(posterior) is not Sequential or len(posterior.layers) != 2:
        return None
    var, head = posterior.layers
    if (type(var) is not VariableLayer or var.activation is not None
            or var.activity_regularizer is not None or head.activity_regularizer is not None
            or head.convert_to_tensor_fn is not _coercion.get_convert_to_tensor_fn("sample")):
        return None
    if type(head) is dl.IndependentNormal and head._event_shape == (n,):
        kind, size, fill = "normal", 2 * n, None
    elif type(head) is dl.MultivariateNormalTriL and head._event_size == n:
        kind, size, fill = "tril", n + n * (n + 1) // 2, head._fill
    else:
        return None
    if tuple(var.kernel.shape) != (size,):
        return None
    return _FastPosterior(var.kernel, n, kind, fill)


class DenseVariational(Layer):
    """Dense layer whose kernel and bias are drawn from a learned posterior (TFP's
    ``DenseVariational``).

    ``make_posterior_fn(kernel_size, bias_size, dtype)`` and ``make_prior_fn(...)`` return models
    (or callables) that, called on the layer's input, give a distribution over the
    ``kernel_size + bias_size`` weights; the kernel is the first ``input_dim * units`` of a
    sample, in Keras's ``(input_dim, units)`` row-major layout, then the bias.

    A prior model without parameters that ignores its input (the courses' fixed prior) is built
    once and cached. The courses' posteriors (``VariableLayer`` then ``IndependentNormal(n)`` or
    ``MultivariateNormalTriL(n)``) are sampled straight from the variable in one call (no
    distribution objects per step) when the KL is the sampled estimate.

    Args:
        units: number of output units.
        make_posterior_fn: builder of the trainable posterior.
        make_prior_fn: builder of the prior (fixed or trainable).
        kl_weight: multiplies the KL (``1 / number of training examples`` in the courses);
            ``None``: 1.
        kl_use_exact: closed-form KL (a registered ``kl_divergence``) instead of the single-sample
            estimate ``log q(w) - log p(w)`` at the sampled weights.
        activation: name or callable; ``None`` is linear.
        use_bias: whether the layer has a bias.
        activity_regularizer: penalty on the output.
        **kwargs: Layer arguments.

    Example:
        >>> layer = dp.layers.DenseVariational(
        ...     2, dp.layers.probabilistic.posterior_mean_field,
        ...     dp.layers.probabilistic.prior_trainable, kl_weight=1 / 100)
        >>> layer(torch.zeros(5, 3)).shape
        torch.Size([5, 2])
    """

    def __init__(self, units: int, make_posterior_fn: Callable, make_prior_fn: Callable,
                 kl_weight: float | None = None, kl_use_exact: bool = False, activation=None,
                 use_bias: bool = True, activity_regularizer=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = _positive(units, "units", "DenseVariational")
        for arg, fn in (("make_posterior_fn", make_posterior_fn),
                        ("make_prior_fn", make_prior_fn)):
            if not callable(fn):
                raise TypeError(
                    f"Argument `{arg}` of DenseVariational: expected a callable "
                    f"fn(kernel_size, bias_size, dtype) returning a model, received {fn!r}."
                )
        self._make_posterior_fn = make_posterior_fn
        self._make_prior_fn = make_prior_fn
        self.kl_weight = kl_weight
        self.kl_use_exact = bool(kl_use_exact)
        self.activation = activation
        self._act = _activation(activation)
        self.use_bias = bool(use_bias)
        self.__dict__["_prior_cache"] = None

    def build(self, input_shape) -> None:
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(
                f"DenseVariational layer {self.name!r}: the last dimension of its input must be "
                f"known, received input shape {tuple(input_shape)}."
            )
        self._in_dim = int(in_dim)
        kernel_size = self._in_dim * self.units
        bias_size = self.units if self.use_bias else 0
        self._posterior = self._make_posterior_fn(kernel_size, bias_size, self.dtype)
        self._prior = self._make_prior_fn(kernel_size, bias_size, self.dtype)
        self.__dict__["_prior_cache"] = None
        self.__dict__["_prior_checked"] = False
        self.__dict__["_fast"] = _fast_posterior(self._posterior, kernel_size + bias_size)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: self._in_dim})
        self.built = True

    def _prior_distribution(self, inputs):
        cache = self._prior_cache
        if cache is not None:
            if cache[0] == inputs.device:
                return cache[1]
            cache[1].to(inputs.device)
            self.__dict__["_prior_cache"] = (inputs.device, cache[1])
            return cache[1]
        if not self.__dict__.get("_prior_checked", True) and inputs.device.type != "meta":
            self.__dict__["_prior_checked"] = True
            if _same_input_each_time(self._prior, inputs):
                prior = self._prior(inputs)
                if isinstance(prior, torch.nn.Module):
                    prior.to(inputs.device)
                self.__dict__["_prior_cache"] = (inputs.device, prior)
                return prior
        return self._prior(inputs)

    def kl_divergence(self, q, r, w: torch.Tensor | None = None) -> torch.Tensor:
        """``kl_weight * KL(q || r)``: closed form, or ``log q(w) - log r(w)`` at the sample."""
        if self.kl_use_exact:
            from deepprob.distributions import kl_divergence

            kl = kl_divergence(q, r)
        else:
            w = _coercion.as_tensor(q) if w is None else w
            kl = q.log_prob(w) - r.log_prob(w)
        if self.kl_weight is not None:
            kl = kl * self.kl_weight
        return kl.sum()

    def call(self, inputs):
        if not inputs.is_floating_point():
            inputs = inputs.to(self.dtype)
        fast = self.__dict__.get("_fast")
        if fast is not None and not self.kl_use_exact:
            r = self._prior_distribution(inputs)
            w, log_q = fast.sample_and_log_prob()
            kl = log_q - r.log_prob(w)
            if self.kl_weight is not None:
                kl = kl * self.kl_weight
            self.add_loss(kl.sum())
        else:
            q = self._posterior(inputs)
            r = self._prior_distribution(inputs)
            w = _coercion.as_tensor(q)
            self.add_loss(self.kl_divergence(q, r, w))
        n_kernel = self._in_dim * self.units
        expected = n_kernel + (self.units if self.use_bias else 0)
        if w.shape[-1] != expected:
            raise ValueError(
                f"DenseVariational layer {self.name!r}: the posterior's sample has "
                f"{w.shape[-1]} values on its last axis, expected {expected} "
                f"(kernel {self._in_dim} x {self.units}"
                + (f" + bias {self.units})." if self.use_bias else ").")
            )
        kernel = w[..., :n_kernel].reshape(w.shape[:-1] + (self._in_dim, self.units))
        out = torch.matmul(inputs, kernel)
        if self.use_bias:
            out = out + w[..., n_kernel:].unsqueeze(-2) if w.dim() > 1 else out + w[n_kernel:]
        return out if self._act is None else self._act(out)

    def get_config(self) -> dict:
        from deepprob import activations

        return {**super().get_config(), "units": self.units, "kl_weight": self.kl_weight,
                "kl_use_exact": self.kl_use_exact, "use_bias": self.use_bias,
                "activation": activations.serialize(self._act) if self._act else "linear"}


class _VariationalLayer(Layer):
    """Shared machinery of TFP's v1 variational layers (posterior, prior, divergence per
    weight)."""

    _rank = 0  # spatial dims (0: dense)

    def __init__(self, activity_regularizer=None, trainable: bool = True,
                 kernel_posterior_fn: Callable | None = None,
                 kernel_posterior_tensor_fn: Callable = _sample,
                 kernel_prior_fn: Callable | None = default_multivariate_normal_fn,
                 kernel_divergence_fn: Callable | None = _kl_q_p,
                 bias_posterior_fn: Callable | None = None,
                 bias_posterior_tensor_fn: Callable = _sample,
                 bias_prior_fn: Callable | None = None,
                 bias_divergence_fn: Callable | None = _kl_q_p, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, trainable=trainable, **kwargs)
        self.kernel_posterior_fn = (kernel_posterior_fn if kernel_posterior_fn is not None
                                    else default_mean_field_normal_fn())
        self.kernel_posterior_tensor_fn = kernel_posterior_tensor_fn
        self.kernel_prior_fn = kernel_prior_fn
        self.kernel_divergence_fn = kernel_divergence_fn
        self.bias_posterior_fn = (bias_posterior_fn if bias_posterior_fn is not None
                                  else default_mean_field_normal_fn(is_singular=True))
        self.bias_posterior_tensor_fn = bias_posterior_tensor_fn
        self.bias_prior_fn = bias_prior_fn
        self.bias_divergence_fn = bias_divergence_fn

    def _add_variable(self, name: str, shape, initializer="zeros", regularizer=None,
                      constraint=None, dtype=None, trainable: bool = True):
        return self.add_weight(name=name, shape=tuple(shape), initializer=initializer,
                               regularizer=regularizer, constraint=constraint,
                               dtype=dtype if isinstance(dtype, torch.dtype) else None,
                               trainable=trainable)

    def _build_posteriors(self, kernel_shape, bias_shape) -> None:
        self.kernel_posterior = self.kernel_posterior_fn(
            self.dtype, kernel_shape, "kernel_posterior", self.trainable, self._add_variable)
        self.kernel_prior = None if self.kernel_prior_fn is None else self.kernel_prior_fn(
            self.dtype, kernel_shape, "kernel_prior", self.trainable, self._add_variable)
        if self.bias_posterior_fn is None:
            self.bias_posterior = None
        else:
            self.bias_posterior = self.bias_posterior_fn(
                self.dtype, bias_shape, "bias_posterior", self.trainable, self._add_variable)
        self.bias_prior = None if self.bias_prior_fn is None else self.bias_prior_fn(
            self.dtype, bias_shape, "bias_prior", self.trainable, self._add_variable)

    def _apply_divergence(self, divergence_fn, posterior, prior, posterior_tensor) -> None:
        if divergence_fn is None or posterior is None or prior is None:
            return
        self.add_loss(divergence_fn(posterior, prior, posterior_tensor))

    def _loc_scale(self, which: str = "kernel"):
        """Mean and stddev of an ``Independent(Normal)`` posterior (Flipout and local
        reparameterization need them)."""
        from deepprob import distributions as tfd

        post = getattr(self, f"{which}_posterior")
        base = post.distribution if isinstance(post, tfd.Independent) else post
        if not isinstance(base, tfd.Normal):
            raise TypeError(
                f"{type(self).__name__} {self.name!r}: the {which} posterior must be an "
                f"Independent(Normal) (default_mean_field_normal_fn), received {post!r}."
            )
        return base.mean(), base.stddev()

    def call(self, inputs):
        if not inputs.is_floating_point():
            inputs = inputs.to(self.dtype)
        outputs, kernel_tensor = self._apply_variational_kernel(inputs)
        bias_tensor = None
        if self.bias_posterior is not None:
            bias_tensor = self.bias_posterior_tensor_fn(self.bias_posterior)
            outputs = outputs + bias_tensor
        if self._act is not None:
            outputs = self._act(outputs)
        self._apply_divergence(self.kernel_divergence_fn, self.kernel_posterior,
                               self.kernel_prior, kernel_tensor)
        self._apply_divergence(self.bias_divergence_fn, self.bias_posterior, self.bias_prior,
                               bias_tensor)
        return outputs

    def _apply_variational_kernel(self, inputs):
        raise NotImplementedError


class _DenseVariationalV1(_VariationalLayer):
    def __init__(self, units: int, activation=None, activity_regularizer=None,
                 trainable: bool = True, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, trainable=trainable,
                         **kwargs)
        self.units = _positive(units, "units", type(self).__name__)
        self.activation = activation
        self._act = _activation(activation)

    def build(self, input_shape) -> None:
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(
                f"{type(self).__name__} layer {self.name!r}: the last dimension of its input must "
                f"be known, received input shape {tuple(input_shape)}."
            )
        self._build_posteriors((int(in_dim), self.units), (self.units,))
        self.input_spec = InputSpec(min_ndim=2, axes={-1: int(in_dim)})
        self.built = True

    def get_config(self) -> dict:
        from deepprob import activations

        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self._act) if self._act else "linear"}


class DenseReparameterization(_DenseVariationalV1):
    """Dense layer with one reparameterized kernel sample per forward pass (TFP's
    ``DenseReparameterization``).

    Args:
        units: number of output units.
        activation: name or callable; ``None`` is linear.
        activity_regularizer: penalty on the output.
        trainable: whether the posterior's variables train.
        kernel_posterior_fn: ``fn(dtype, shape, name, trainable, add_variable_fn)``
            (default ``default_mean_field_normal_fn()``).
        kernel_posterior_tensor_fn: ``fn(posterior) -> kernel`` (default: a sample).
        kernel_prior_fn: prior builder (default ``default_multivariate_normal_fn``, N(0, 1)).
        kernel_divergence_fn: ``fn(q, p, q_sample)`` added to the losses (default: closed-form
            KL, not scaled).
        bias_posterior_fn: default ``default_mean_field_normal_fn(is_singular=True)`` (a point
            estimate).
        bias_posterior_tensor_fn, bias_prior_fn (default None: no bias KL),
        bias_divergence_fn: as for the kernel.
        **kwargs: Layer arguments.

    Example:
        >>> layer = dp.layers.DenseReparameterization(
        ...     3, kernel_divergence_fn=lambda q, p, _: dp.distributions.kl_divergence(q, p) / 1000)
        >>> layer(torch.zeros(4, 2)).shape
        torch.Size([4, 3])
    """

    def _apply_variational_kernel(self, inputs):
        kernel = self.kernel_posterior_tensor_fn(self.kernel_posterior)
        return torch.matmul(inputs, kernel), kernel


class DenseLocalReparameterization(_DenseVariationalV1):
    """Dense layer sampling the pre-activations instead of the kernel (local
    reparameterization, Kingma et al. 2015): ``N(x @ mu, sqrt(x^2 @ sigma^2))`` per example.

    Args: as :class:`DenseReparameterization` (the kernel posterior must be
        ``Independent(Normal)``).

    Example:
        >>> dp.layers.DenseLocalReparameterization(3)(torch.zeros(4, 2)).shape
        torch.Size([4, 3])
    """

    def _apply_variational_kernel(self, inputs):
        from deepprob import distributions as tfd

        loc, scale = self._loc_scale()
        out_loc = torch.matmul(inputs, loc)
        out_scale = torch.sqrt(torch.matmul(inputs.square(), scale.square()) + 1e-12)
        if self.kernel_posterior_tensor_fn is _sample:
            return out_loc + out_scale * torch.randn_like(out_loc), None
        return self.kernel_posterior_tensor_fn(tfd.Normal(out_loc, out_scale)), None


class DenseFlipout(_DenseVariationalV1):
    """Dense layer with Flipout (Wen et al. 2018): one kernel perturbation per pass,
    decorrelated across examples by random sign flips, for lower-variance gradients.

    Args: as :class:`DenseReparameterization` (the kernel posterior must be
        ``Independent(Normal)``), plus ``seed`` (unused; accepted for TFP compatibility).

    Example:
        >>> dp.layers.DenseFlipout(3)(torch.zeros(4, 2)).shape
        torch.Size([4, 3])
    """

    def __init__(self, units: int, activation=None, activity_regularizer=None,
                 trainable: bool = True, seed=None, **kwargs):
        super().__init__(units, activation, activity_regularizer, trainable, **kwargs)
        self.seed = seed

    def _apply_variational_kernel(self, inputs):
        from deepprob import distributions as tfd

        loc, scale = self._loc_scale()
        if self.kernel_posterior_tensor_fn is _sample:
            delta = scale * torch.randn_like(loc)
        else:
            delta = self.kernel_posterior_tensor_fn(tfd.Normal(torch.zeros_like(loc), scale))
        sign_in = rademacher(inputs.shape, inputs.dtype, inputs.device)
        sign_out = rademacher(inputs.shape[:-1] + (self.units,), inputs.dtype, inputs.device)
        out = torch.matmul(inputs, loc) + torch.matmul(inputs * sign_in, delta) * sign_out
        return out, None
