package io.nabla.backend;

/**
 * Losses computed element by element from an input {@code x} and a target {@code t}, with PyTorch's formulas and
 * derivatives (including its choices at kinks: {@code sign(0) = 0}). The math lives here so that every backend
 * computes the same thing in double; {@code beta} is smooth L1's threshold (must be &gt; 0, PyTorch maps 0 to L1)
 * and {@code pw} is BCE's {@code pos_weight} (1 when absent); the other losses ignore both.
 */
public enum PointwiseLoss {
    /** {@code (x - t)^2}. */
    MSE,
    /** {@code |x - t|}. */
    L1,
    /** {@code 0.5 (x - t)^2 / beta} where {@code |x - t| < beta}, else {@code |x - t| - 0.5 beta}. */
    SMOOTH_L1,
    /** {@code (1 - t) x + (1 + (pw - 1) t) softplus(-x)}, the stable form of BCE on {@code sigmoid(x)}. */
    BCE_WITH_LOGITS,
    /** {@code xlogy(t, t) - t x}: x holds log-probabilities, t probabilities. */
    KL_DIV,
    /** {@code exp(t) (t - x)}: x and t both hold log-probabilities. */
    KL_DIV_LOG_TARGET;

    /** The loss of one element. */
    public double value(double x, double t, double beta, double pw) {
        switch (this) {
            case MSE: {
                double d = x - t;
                return d * d;
            }
            case L1:
                return Math.abs(x - t);
            case SMOOTH_L1: {
                double z = Math.abs(x - t);
                return z < beta ? 0.5 * z * z / beta : z - 0.5 * beta;
            }
            case BCE_WITH_LOGITS:
                return (1 - t) * x + (1 + (pw - 1) * t) * softplus(-x);
            case KL_DIV:
                return xlogy(t, t) - t * x;
            case KL_DIV_LOG_TARGET:
                return Math.exp(t) * (t - x);
            default:
                throw new IllegalStateException(name());
        }
    }

    /** d loss / d x. */
    public double dInput(double x, double t, double beta, double pw) {
        switch (this) {
            case MSE:
                return 2 * (x - t);
            case L1:
                return Math.signum(x - t);
            case SMOOTH_L1: {
                double d = x - t;
                return d < -beta ? -1 : d > beta ? 1 : d / beta;
            }
            case BCE_WITH_LOGITS: {
                double pt = pw * t;
                return (pt + 1 - t) * sigmoid(x) - pt;
            }
            case KL_DIV:
                return -t;
            case KL_DIV_LOG_TARGET:
                return -Math.exp(t);
            default:
                throw new IllegalStateException(name());
        }
    }

    /** d loss / d t. */
    public double dTarget(double x, double t, double beta, double pw) {
        switch (this) {
            case MSE:
            case L1:
            case SMOOTH_L1:
                return -dInput(x, t, beta, pw);
            case BCE_WITH_LOGITS:
                // log_sigmoid(-x) - pw * log_sigmoid(x), as PyTorch's target backward
                return -softplus(x) + pw * softplus(-x);
            case KL_DIV:
                // autograd through xlogy(t, t): xlogy(t != 0, t) + t / t (so NaN at t = 0, as in PyTorch)
                return (t != 0 ? Math.log(t) : 0) + t / t - x;
            case KL_DIV_LOG_TARGET:
                return Math.exp(t) * (t - x + 1);
            default:
                throw new IllegalStateException(name());
        }
    }

    /** {@code log(1 + exp(v))} without overflow. */
    public static double softplus(double v) {
        return Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
    }

    /** {@code 1 / (1 + exp(-v))} without overflow. */
    public static double sigmoid(double v) {
        if (v >= 0) {
            return 1 / (1 + Math.exp(-v));
        }
        double e = Math.exp(v);
        return e / (1 + e);
    }

    /** {@code x log y}, 0 where {@code x == 0} (NaN stays NaN). */
    public static double xlogy(double x, double y) {
        if (Double.isNaN(y)) {
            return Double.NaN;
        }
        return x == 0 ? 0 : x * Math.log(y);
    }
}
