package io.nabla.backend;

/**
 * The scalar definitions of every elementwise op and of its gradient, shared by the reference kernels and the fast
 * CPU loops so that both compute the same values bit for bit. Floating ops compute in double (the caller rounds
 * once to the storage type); integer ops compute on long and wrap when stored. The formulas follow PyTorch's
 * kernels and {@code derivatives.yaml}; {@link #unaryGrad} lists the backward rules in the order of
 * {@link UnaryOp}.
 */
public final class ElementwiseMath {

    /** sqrt(2/pi), PyTorch's kBeta of the tanh GELU. */
    public static final double GELU_TANH_BETA = Math.sqrt(2.0 / Math.PI);
    public static final double GELU_TANH_KAPPA = 0.044715;
    public static final double SQRT1_2 = Math.sqrt(0.5);
    /** 1/sqrt(2*pi): the standard normal density at 0. */
    public static final double NORMAL_PDF0 = 1.0 / Math.sqrt(2.0 * Math.PI);

    private ElementwiseMath() {
    }

    /** A parameter as the op sees it for this dtype: rounded to float for FP32/FP16/BF16 where PyTorch casts it. */
    public static double param(UnaryOp op, DType dtype, double p) {
        if (!op.roundsParams() || dtype == DType.FP64 || !dtype.isFloatingPoint() || Double.isNaN(p)) {
            return p;
        }
        return (float) p;
    }

    // ---- unary forward ------------------------------------------------------------------------------------------

    public static double unary(UnaryOp op, double x, double p0, double p1) {
        switch (op) {
            case NEG: return -x;
            case ABS: return Math.abs(x);
            case EXP: return Math.exp(x);
            case LOG: return Math.log(x);
            case SQRT: return Math.sqrt(x);
            case RSQRT: return 1.0 / Math.sqrt(x);
            case SIN: return Math.sin(x);
            case COS: return Math.cos(x);
            case RECIPROCAL: return 1.0 / x;
            case SQUARE: return x * x;
            case TANH: return Math.tanh(x);
            case SIGMOID: return sigmoid(x);
            case RELU: return relu(x);
            case LEAKY_RELU: return leakyRelu(x, p0);
            case GELU: return gelu(x);
            case GELU_TANH: return geluTanh(x);
            case SILU: return silu(x);
            case SOFTPLUS: return softplus(x, p0, p1);
            case ELU: return elu(x, p0);
            case CLAMP: return clamp(x, lowerBound(p0), upperBound(p1));
            case POW: return pow(x, p0);
            case SIGN: return sign(x);
            case AFFINE: return x * p0 + p1;
            default: throw new IllegalArgumentException("unknown unary op " + op);
        }
    }

    /** Integer forms of the ops that keep an integer dtype; the others need a floating dtype. */
    public static long unaryLong(UnaryOp op, long x, double p0, double p1) {
        switch (op) {
            case NEG: return -x;
            case ABS: return Math.abs(x);
            case SQUARE: return x * x;
            case RELU: return Math.max(x, 0);
            case CLAMP: {
                long lo = Double.isNaN(p0) ? Long.MIN_VALUE : (long) p0;
                long hi = Double.isNaN(p1) ? Long.MAX_VALUE : (long) p1;
                return Math.min(Math.max(x, lo), hi);
            }
            case POW: return powLong(x, (long) p0);
            case SIGN: return Long.signum(x);
            case AFFINE: return x * (long) p0 + (long) p1;
            default:
                throw new IllegalArgumentException("unary " + op + " needs a floating dtype; the caller converts "
                        + "integer inputs first");
        }
    }

    public static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    /** max(x, 0) keeping NaN, as PyTorch's clamp_min does. */
    public static double relu(double x) {
        return Math.max(x, 0.0);
    }

    /** x for x &gt; 0, else x * slope; written without a branch (the CPU loops do the same), equal up to the sign of 0. */
    public static double leakyRelu(double x, double slope) {
        return Math.max(x, 0.0) + Math.min(x, 0.0) * slope;
    }

    /** x * Phi(x) with the exact normal CDF. */
    public static double gelu(double x) {
        return x * 0.5 * (1.0 + Erf.erf(x * SQRT1_2));
    }

    public static double geluTanh(double x) {
        double inner = GELU_TANH_BETA * (x + GELU_TANH_KAPPA * x * x * x);
        return 0.5 * x * (1.0 + Math.tanh(inner));
    }

    public static double silu(double x) {
        return x / (1.0 + Math.exp(-x));
    }

    public static double softplus(double x, double beta, double threshold) {
        return x * beta > threshold ? x : Math.log1p(Math.exp(x * beta)) / beta;
    }

    public static double elu(double x, double alpha) {
        return x > 0 ? x : alpha * Math.expm1(x);
    }

    /** min(max(x, lo), hi) keeping NaN; with lo > hi every element becomes hi, as in PyTorch. */
    public static double clamp(double x, double lo, double hi) {
        return Math.min(Math.max(x, lo), hi);
    }

    /** The clamp lower bound, NaN meaning none. */
    public static double lowerBound(double p) {
        return Double.isNaN(p) ? Double.NEGATIVE_INFINITY : p;
    }

    /** The clamp upper bound, NaN meaning none. */
    public static double upperBound(double p) {
        return Double.isNaN(p) ? Double.POSITIVE_INFINITY : p;
    }

    /** x^e with PyTorch's special cases for e in {2, 3, 0.5, -0.5, -1, -2}. */
    public static double pow(double x, double e) {
        if (e == 2.0) {
            return x * x;
        } else if (e == 3.0) {
            return x * x * x;
        } else if (e == 0.5) {
            return Math.sqrt(x);
        } else if (e == -0.5) {
            return 1.0 / Math.sqrt(x);
        } else if (e == -1.0) {
            return 1.0 / x;
        } else if (e == -2.0) {
            return 1.0 / (x * x);
        }
        return Math.pow(x, e);
    }

    /** Integer power by squaring (wrapping); a negative exponent gives 0 unless the base is 1 or -1. */
    public static long powLong(long base, long exp) {
        if (exp < 0) {
            if (base == 1) {
                return 1;
            }
            return base == -1 ? ((exp & 1) == 0 ? 1 : -1) : 0;
        }
        long result = 1;
        long b = base;
        long e = exp;
        while (e > 0) {
            if ((e & 1) != 0) {
                result *= b;
            }
            b *= b;
            e >>= 1;
        }
        return result;
    }

    public static double sign(double x) {
        return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0);
    }

    // ---- unary backward -----------------------------------------------------------------------------------------

    /**
     * The gradient of the input of {@code op}: {@code g} is the gradient of the output and {@code s} the saved
     * value, the op's output where {@link UnaryOp#gradFromOutput()}, else its input.
     */
    public static double unaryGrad(UnaryOp op, double g, double s, double p0, double p1) {
        switch (op) {
            case NEG: return -g;
            case ABS: return g * sign(s);
            case EXP: return g * s;
            case LOG: return g / s;
            case SQRT: return g / (2.0 * s);
            case RSQRT: return -0.5 * g * (s * s * s);
            case SIN: return g * Math.cos(s);
            case COS: return g * -Math.sin(s);
            case RECIPROCAL: return -g * (s * s);
            case SQUARE: return g * (2.0 * s);
            case TANH: return g * (1.0 - s * s);
            case SIGMOID: return g * (1.0 - s) * s;
            case RELU: return reluGrad(g, s);
            case LEAKY_RELU: return s > 0 ? g : g * p0;
            case GELU: return geluGrad(g, s);
            case GELU_TANH: return geluTanhGrad(g, s);
            case SILU: return siluGrad(g, s);
            case SOFTPLUS: return softplusGrad(g, s, p0, p1);
            case ELU: return s > 0 ? g : g * p0 * Math.exp(s);
            case CLAMP: return clampGrad(g, s, lowerBound(p0), upperBound(p1));
            case POW: return p0 == 0.0 ? 0.0 : g * (p0 * pow(s, p0 - 1.0));
            case SIGN: return 0.0;
            case AFFINE: return g * p0;
            default: throw new IllegalArgumentException("unknown unary op " + op);
        }
    }

    /** PyTorch's threshold_backward on the output: 0 where y <= 0. */
    public static double reluGrad(double g, double y) {
        return y <= 0 ? 0.0 : g;
    }

    public static double geluGrad(double g, double x) {
        double cdf = 0.5 * (1.0 + Erf.erf(x * SQRT1_2));
        double pdf = Math.exp(-0.5 * x * x) * NORMAL_PDF0;
        return g * (cdf + x * pdf);
    }

    public static double geluTanhGrad(double g, double x) {
        double x2 = x * x;
        double inner = GELU_TANH_BETA * (x + GELU_TANH_KAPPA * x2 * x);
        double t = Math.tanh(inner);
        double left = 0.5 * x;
        double right = 1.0 + t;
        double leftDerivative = 0.5 * right;
        double rightDerivative = left * (1.0 - t * t) * GELU_TANH_BETA * (1.0 + 3.0 * GELU_TANH_KAPPA * x2);
        return g * (leftDerivative + rightDerivative);
    }

    public static double siluGrad(double g, double x) {
        double sig = sigmoid(x);
        return g * sig * (1.0 + x * (1.0 - sig));
    }

    public static double softplusGrad(double g, double x, double beta, double threshold) {
        double z = Math.exp(x * beta);
        return x * beta > threshold ? g : g * z / (z + 1.0);
    }

    /** The gradient passes where lo <= x <= hi (ties included), as PyTorch's clamp_backward. */
    public static double clampGrad(double g, double x, double lo, double hi) {
        return x >= lo && x <= hi ? g : 0.0;
    }

    // ---- binary -----------------------------------------------------------------------------------------------

    public static double binary(BinaryOp op, double a, double b) {
        switch (op) {
            case ADD: return a + b;
            case SUB: return a - b;
            case MUL: return a * b;
            case DIV: return a / b;
            case POW: return Math.pow(a, b);
            case MAXIMUM: return Math.max(a, b);
            case MINIMUM: return Math.min(a, b);
            default: return compare(op, a, b) ? 1.0 : 0.0;
        }
    }

    public static long binaryLong(BinaryOp op, long a, long b) {
        switch (op) {
            case ADD: return a + b;
            case SUB: return a - b;
            case MUL: return a * b;
            case POW: return powLong(a, b);
            case MAXIMUM: return Math.max(a, b);
            case MINIMUM: return Math.min(a, b);
            case DIV:
                throw new IllegalArgumentException("DIV is true division; the caller computes it in a floating "
                        + "dtype");
            default: return compareLong(op, a, b) ? 1 : 0;
        }
    }

    public static boolean compare(BinaryOp op, double a, double b) {
        switch (op) {
            case EQ: return a == b;
            case NE: return a != b;
            case LT: return a < b;
            case LE: return a <= b;
            case GT: return a > b;
            case GE: return a >= b;
            case LOGICAL_AND: return a != 0 && b != 0;
            case LOGICAL_OR: return a != 0 || b != 0;
            default: throw new IllegalArgumentException(op + " is not a comparison");
        }
    }

    public static boolean compareLong(BinaryOp op, long a, long b) {
        switch (op) {
            case EQ: return a == b;
            case NE: return a != b;
            case LT: return a < b;
            case LE: return a <= b;
            case GT: return a > b;
            case GE: return a >= b;
            case LOGICAL_AND: return a != 0 && b != 0;
            case LOGICAL_OR: return a != 0 || b != 0;
            default: throw new IllegalArgumentException(op + " is not a comparison");
        }
    }
}
