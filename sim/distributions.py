"""Distribution specs as plain data, and their samplers.

Every sampler works by inverse transform: it turns uniform numbers into times. The model draws the
uniforms from named streams indexed by reader (see `sim.rng`), so a scaled or less variable
distribution in a variant sees the same uniforms: the readers keep their "slow" or "quick" luck
across variants, which makes paired comparisons sharp (common random numbers).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, cast

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy import special


class DistributionError(ValueError):
    """A distribution's parameters that do not fit together; `code` and `params` say it in any language
    (the locales' `problem.<code>`)."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(message)


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    def mean_value(self) -> float:
        raise NotImplementedError

    def sd_value(self) -> float:
        raise NotImplementedError

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        """Map uniforms in (0, 1) to samples, elementwise and monotone."""
        raise NotImplementedError

    def scaled(self, factor: float) -> Distribution:
        """The same shape with every value multiplied by `factor` (mean and spread together)."""
        raise NotImplementedError


class Exponential(_Dist):
    dist: Literal["exponential"]
    mean: float = Field(gt=0, le=1e6)

    def mean_value(self) -> float:
        return self.mean

    def sd_value(self) -> float:
        return self.mean

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        return -self.mean * np.log1p(-u)

    def scaled(self, factor: float) -> Distribution:
        return Exponential(dist="exponential", mean=self.mean * factor)


def _spread_ok(mean: float, sd: float) -> None:
    if not 1e-3 <= sd / mean <= 20:
        ratio = float(f"{sd / mean:.3g}")
        raise DistributionError("problem.dist.spread", f"sd / mean must be between 0.001 and 20 (got {ratio:g})", ratio=ratio)


class _MeanSd(_Dist):
    """A distribution given by the mean and standard deviation of the time itself."""

    mean: float = Field(gt=0, le=1e6)
    sd: float = Field(gt=0, le=1e7)

    @model_validator(mode="after")
    def _spread(self) -> _MeanSd:
        _spread_ok(self.mean, self.sd)
        return self

    def mean_value(self) -> float:
        return self.mean

    def sd_value(self) -> float:
        return self.sd

    def scaled(self, factor: float) -> Distribution:
        # validated again (model_validate, not model_copy): a scaled mean may pass the field's bound
        data = {**self.model_dump(), "mean": self.mean * factor, "sd": self.sd * factor}
        return cast("Distribution", type(self).model_validate(data))


class LogNormal(_MeanSd):
    """Log-normal given by its own mean and standard deviation (not those of the log)."""

    dist: Literal["lognormal"]

    def _log_params(self) -> tuple[float, float]:
        sigma2 = math.log1p((self.sd / self.mean) ** 2)
        return math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2)

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        mu, sigma = self._log_params()
        return np.exp(mu + sigma * special.ndtri(u))


class Gamma(_MeanSd):
    """Gamma given by its mean and standard deviation."""

    dist: Literal["gamma"]

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        shape = (self.mean / self.sd) ** 2
        scale = self.sd**2 / self.mean
        return special.gammaincinv(shape, u) * scale


class Triangular(_Dist):
    dist: Literal["triangular"]
    low: float = Field(ge=0, le=1e6)
    mode: float = Field(ge=0, le=1e6)
    high: float = Field(gt=0, le=1e6)

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high) or self.low == self.high:
            raise DistributionError("problem.dist.triangular_order", "needs low <= mode <= high and low < high")
        return self

    def mean_value(self) -> float:
        return (self.low + self.mode + self.high) / 3

    def sd_value(self) -> float:
        a, c, b = self.low, self.mode, self.high
        return math.sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18)

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        a, c, b = self.low, self.mode, self.high
        cut = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1 - u) * (b - a) * (b - c))
        return np.where(u < cut, left, right)

    def scaled(self, factor: float) -> Distribution:
        return Triangular(
            dist="triangular", low=self.low * factor, mode=self.mode * factor, high=self.high * factor
        )


class Uniform(_Dist):
    dist: Literal["uniform"]
    low: float = Field(ge=0)
    high: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.low >= self.high:
            raise DistributionError("problem.dist.uniform_order", "needs low < high")
        return self

    def mean_value(self) -> float:
        return (self.low + self.high) / 2

    def sd_value(self) -> float:
        return (self.high - self.low) / math.sqrt(12)

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        return self.low + u * (self.high - self.low)

    def scaled(self, factor: float) -> Distribution:
        return Uniform(dist="uniform", low=self.low * factor, high=self.high * factor)


class Fixed(_Dist):
    dist: Literal["fixed"]
    value: float = Field(ge=0, le=1e6)

    def mean_value(self) -> float:
        return self.value

    def sd_value(self) -> float:
        return 0.0

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        return np.full(np.shape(u), float(self.value))

    def scaled(self, factor: float) -> Distribution:
        return Fixed(dist="fixed", value=self.value * factor)


Distribution = Annotated[
    Exponential | LogNormal | Gamma | Triangular | Uniform | Fixed, Field(discriminator="dist")
]

DISTRIBUTION_KINDS = ("exponential", "lognormal", "gamma", "triangular", "uniform", "fixed")


def with_spread(dist: Distribution, sd_factor: float) -> Distribution:
    """Keep the mean, multiply the spread by `sd_factor` (standard work lowers variability).

    Distributions whose spread cannot move on its own are converted: an exponential becomes a
    gamma with the same mean; a fixed time stays fixed.
    """
    if sd_factor <= 0:
        return Fixed(dist="fixed", value=dist.mean_value())
    mean = dist.mean_value()
    sd = dist.sd_value() * sd_factor
    if isinstance(dist, (LogNormal, Gamma, Exponential)):
        sd = min(max(sd, 1e-3 * mean), 20 * mean)
    if isinstance(dist, Fixed) or sd == 0:
        return dist
    if isinstance(dist, LogNormal):
        return LogNormal(dist="lognormal", mean=mean, sd=sd)
    if isinstance(dist, (Gamma, Exponential)):
        return Gamma(dist="gamma", mean=mean, sd=sd)
    if isinstance(dist, Uniform):
        half = (dist.high - dist.low) / 2 * sd_factor
        return Uniform(dist="uniform", low=max(0.0, mean - half), high=mean + half)
    if isinstance(dist, Triangular):
        lo = mean - (mean - dist.low) * sd_factor
        mo = mean - (mean - dist.mode) * sd_factor
        hi = mean + (dist.high - mean) * sd_factor
        return Triangular(dist="triangular", low=max(0.0, lo), mode=max(0.0, mo), high=hi)
    raise TypeError(f"unknown distribution {dist!r}")
