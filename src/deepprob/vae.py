"""Helpers for variational autoencoders built from distribution layers (``dp.vae``).

The courses' VAE: an encoder ending in ``MultivariateNormalTriL(z, activity_regularizer=
KLDivergenceRegularizer(prior))`` (or ``IndependentNormal``), a decoder ending in
``IndependentBernoulli(image_shape)``, the whole model trained with ``fit`` on
``loss=lambda x, rv_x: -rv_x.log_prob(x)``. Then ``model.evaluate`` returns the negative ELBO per
example (its data term is ``nll``, the regularizer ``kl``). These helpers evaluate the ELBO with
the exact KL (or more samples), sample new data from the prior and reconstruct inputs.

Example:
    >>> elbo = dp.vae.elbo(encoder, decoder, prior, x_test)        # doctest: +SKIP
    >>> images = dp.vae.sample(decoder, prior, 16)                  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

__all__ = ["elbo", "sample", "reconstruct", "encode"]


def _as_input(x, model) -> torch.Tensor:
    device = next((p.device for p in model.parameters()), torch.device("cpu")) \
        if isinstance(model, torch.nn.Module) else torch.device("cpu")
    if isinstance(x, torch.Tensor):
        t = x
    else:
        t = torch.as_tensor(np.asarray(x))
    if not t.is_floating_point():
        t = t.to(torch.float32)
    return t.to(device)


def _prior(prior):
    return prior() if callable(prior) and not hasattr(prior, "log_prob") else prior


def _eval(model):
    if isinstance(model, torch.nn.Module):
        model.eval()


@torch.no_grad()
def elbo(encoder, decoder, prior, x, num_samples: int = 1, exact_kl: bool = True,
         batch_size: int = 1000) -> float:
    """Mean evidence lower bound per example (nats; higher is better):
    ``E_q[log p(x | z)] - KL(q(z | x) || p(z))``.

    Args:
        encoder: model mapping ``x`` to the posterior distribution ``q(z | x)``.
        decoder: model mapping latent samples ``z`` to the distribution ``p(x | z)``.
        prior: the prior ``p(z)`` (a distribution, or a callable returning one).
        x: data (array or tensor), in the shape the encoder takes.
        num_samples: latent samples per example for the reconstruction term.
        exact_kl: closed-form KL (falls back to the Monte-Carlo estimate when none exists).
        batch_size: examples per forward pass.

    Example:
        >>> dp.vae.elbo(encoder, decoder, prior, x_test)   # doctest: +SKIP
        -155.2
    """
    from deepprob.distributions import kl_divergence

    if isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples < 1:
        raise ValueError(
            f"Argument `num_samples`: expected a positive integer, received {num_samples!r}."
        )
    _eval(encoder)
    _eval(decoder)
    p_z = _prior(prior)
    xt = _as_input(x, encoder)
    total, count = 0.0, 0
    for start in range(0, xt.shape[0], batch_size):
        xb = xt[start:start + batch_size]
        q = encoder(xb)
        z = q.sample(num_samples)  # (S, B, d)
        s, b = z.shape[0], z.shape[1]
        rv_x = decoder(z.reshape((s * b,) + tuple(z.shape[2:])))
        target = xb.unsqueeze(0).expand((s,) + tuple(xb.shape)).reshape((s * b,)
                                                                          + tuple(xb.shape[1:]))
        rec = rv_x.log_prob(target).reshape(s, b).mean(0)
        kl = None
        if exact_kl:
            try:
                kl = kl_divergence(q, p_z)
            except NotImplementedError:
                kl = None
        if kl is None:
            kl = (q.log_prob(z) - p_z.log_prob(z)).mean(0)
        total += float((rec - kl).sum())
        count += b
    return total / count


@torch.no_grad()
def encode(encoder, x, batch_size: int = 1000) -> np.ndarray:
    """Posterior means ``E[z | x]`` (NumPy), e.g. for a 2-D latent-space plot.

    Args:
        encoder: model mapping ``x`` to ``q(z | x)``.
        x: data.
        batch_size: examples per forward pass.

    Example:
        >>> z = dp.vae.encode(encoder, x_test[:500])   # doctest: +SKIP
    """
    _eval(encoder)
    xt = _as_input(x, encoder)
    out = [encoder(xt[i:i + batch_size]).mean() for i in range(0, xt.shape[0], batch_size)]
    return torch.cat(out).cpu().numpy()


@torch.no_grad()
def sample(decoder, prior, n: int, convert: Any = "mean", seed: int | None = None) -> np.ndarray:
    """``n`` new examples: ``z ~ prior``, then the decoder's distribution converted with
    ``convert`` (``"mean"``: Bernoulli probabilities, the smooth images the courses show;
    ``"sample"``: binary draws).

    Args:
        decoder: model mapping ``z`` to ``p(x | z)``.
        prior: the prior (a distribution, or a callable returning one).
        n: number of examples.
        convert: ``"mean"``, ``"sample"``, ``"mode"`` or a callable on the distribution.
        seed: optional int making the latent draw repeatable.

    Example:
        >>> images = dp.vae.sample(decoder, prior, 16)   # doctest: +SKIP
    """
    from deepprob.layers.probabilistic._coercion import get_convert_to_tensor_fn

    _eval(decoder)
    z = _prior(prior).sample(int(n), seed=seed)
    device = next((p.device for p in decoder.parameters()), z.device) \
        if isinstance(decoder, torch.nn.Module) else z.device
    out = get_convert_to_tensor_fn(convert)(decoder(z.to(device)))
    return out.cpu().numpy()


@torch.no_grad()
def reconstruct(encoder, decoder, x, convert: Any = "mean", latent: Any = "mean") -> np.ndarray:
    """Reconstructions of ``x``: the decoder's distribution at the encoder's latent
    (``latent="mean"`` or ``"sample"``), converted with ``convert``.

    Args:
        encoder: model mapping ``x`` to ``q(z | x)``.
        decoder: model mapping ``z`` to ``p(x | z)``.
        x: data.
        convert: how the decoder's distribution becomes an array (``"mean"`` default).
        latent: which latent to decode: ``"mean"`` or ``"sample"``.

    Example:
        >>> recon = dp.vae.reconstruct(encoder, decoder, x_test[:8])   # doctest: +SKIP
    """
    from deepprob.layers.probabilistic._coercion import get_convert_to_tensor_fn

    _eval(encoder)
    _eval(decoder)
    q = encoder(_as_input(x, encoder))
    z = get_convert_to_tensor_fn(latent)(q)
    return get_convert_to_tensor_fn(convert)(decoder(z)).cpu().numpy()
