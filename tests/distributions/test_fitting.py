"""Maximum-likelihood fitting with torch optimizers recovers the data's parameters."""

from __future__ import annotations

import torch

import deepprob as dp

tfd = dp.distributions


def test_normal_loc_parameter_fits_data_mean():
    g = torch.Generator().manual_seed(0)
    data = 3.0 + 2.0 * torch.randn(2000, generator=g)
    loc = torch.nn.Parameter(torch.tensor(0.0))
    dist = tfd.Normal(loc=loc, scale=2.0)
    opt = torch.optim.Adam(dist.parameters(), lr=0.1)
    for _ in range(300):
        opt.zero_grad()
        loss = -dist.log_prob(data).mean()
        loss.backward()
        opt.step()
    assert abs(float(loc) - float(data.mean())) < 1e-3


def test_mvn_tril_fits_data_covariance():
    g = torch.Generator().manual_seed(1)
    true_tril = torch.tensor([[1.0, 0.0], [0.8, 0.5]])
    data = torch.randn(1000, 2, generator=g) @ true_tril.T + torch.tensor([1.0, -1.0])
    loc = torch.nn.Parameter(torch.zeros(2))
    raw = torch.nn.Parameter(torch.zeros(2, 2))

    class Tril(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.raw = raw

        def forward(self):
            return torch.tril(self.raw, -1) + torch.diag_embed(torch.exp(torch.diagonal(self.raw)))

    dist = tfd.MultivariateNormalTriL(loc=loc, scale_tril=Tril())
    opt = torch.optim.Adam(dist.parameters(), lr=0.08)
    for _ in range(300):
        opt.zero_grad()
        (-dist.log_prob(data).mean()).backward()
        opt.step()
    emp = torch.cov(data.T, correction=0)  # the maximum-likelihood covariance
    torch.testing.assert_close(dist.covariance().detach(), emp, atol=0.02, rtol=0.02)
    torch.testing.assert_close(loc.detach(), data.mean(0), atol=0.01, rtol=0.0)
