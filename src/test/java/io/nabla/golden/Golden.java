package io.nabla.golden;

import static org.assertj.core.api.Assertions.fail;

import io.nabla.autograd.Autograd;
import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs the PyTorch op fixtures in {@code src/test/resources/golden/ops}: one line per family test,
 * {@code Golden.tests("elementwise.json", Map.of("add", c -> ElementwiseOps.add(c.in("a"), c.in("b")), ...))}.
 * Each case builds its inputs, runs the op, compares every output, back-propagates the fixture's upstream
 * gradients and compares every input gradient, all within the case's tolerance.
 */
public final class Golden {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** An op under test: the case gives inputs and args, the op returns its outputs in PyTorch's order. */
    @FunctionalInterface
    public interface Op {
        Tensor[] run(Case c);
    }

    /** Wraps a single-output op. */
    public static Op one(Function<Case, Tensor> f) {
        return c -> new Tensor[] {f.apply(c)};
    }

    private Golden() {
    }

    /** All cases of a fixture file. */
    public static List<Case> cases(String file) {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/ops/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture /golden/ops/" + file);
            }
            JsonNode root = JSON.readTree(in);
            List<Case> out = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                out.add(new Case(c));
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One dynamic test per case; a case whose op has no entry in {@code ops} fails (nothing is skipped). */
    public static Stream<DynamicTest> tests(String file, Map<String, Op> ops) {
        return cases(file).stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Op op = ops.get(c.op());
            if (op == null) {
                fail("no implementation registered for op '" + c.op() + "' (case " + c.name() + ")");
            }
            check(c, op);
        }));
    }

    /** Runs one case: forward, compare outputs, backward with the upstream gradients, compare input gradients. */
    public static void check(Case c, Op op) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor[] outs = op.run(c);
            for (int k = 0; k < outs.length; k++) {
                String key = k == 0 ? "output" : "output" + k;
                JsonNode expected = c.json.get(key);
                if (expected == null) {
                    fail(c.name() + ": op returned " + outs.length + " outputs, fixture has no " + key);
                }
                assertClose(c, key, outs[k], expected);
            }
            JsonNode grads = c.json.get("grads");
            if (grads == null || grads.isEmpty()) {
                return;
            }
            boolean any = false;
            for (int k = 0; k < outs.length; k++) {
                JsonNode up = c.json.get(k == 0 ? "upstream_grad" : "upstream_grad" + k);
                if (up == null || !outs[k].requiresGrad()) {
                    continue;
                }
                Autograd.backward(outs[k], tensor(up), true);
                any = true;
            }
            if (!any) {
                fail(c.name() + ": no output requires grad, but the fixture has gradients " + grads.propertyNames());
            }
            for (String name : grads.propertyNames()) {
                Tensor input = c.inputs.get(name);
                if (input == null || input.grad() == null) {
                    fail(c.name() + ": no gradient reached input '" + name + "'");
                }
                assertClose(c, "grad of " + name, input.grad(), grads.get(name));
            }
        }
    }

    private static void assertClose(Case c, String what, Tensor actual, JsonNode expected) {
        int[] shape = shapeOf(expected);
        if (!Arrays.equals(actual.shape(), shape)) {
            fail(c.name() + ": " + what + " has shape " + Shape.format(actual.shape()) + ", expected "
                    + Shape.format(shape));
        }
        DType dt = dtypeOf(expected.get("dtype").asString());
        JsonNode data = expected.get("data");
        if (!dt.isFloatingPoint()) {
            long[] got = actual.toLongArray();
            for (int i = 0; i < got.length; i++) {
                long want = dt == DType.BOOL ? (data.get(i).asBoolean() ? 1 : 0) : data.get(i).asLong();
                if (got[i] != want) {
                    fail(c.name() + ": " + what + "[" + i + "] = " + got[i] + ", expected " + want);
                }
            }
            return;
        }
        if (actual.dtype() != dt) {
            fail(c.name() + ": " + what + " has dtype " + actual.dtype().torchName() + ", expected " + dt.torchName());
        }
        double[] got = actual.toDoubleArray();
        double rtol = c.rtol();
        double atol = c.atol();
        for (int i = 0; i < got.length; i++) {
            double want = data.get(i).asDouble();
            if (!(Math.abs(got[i] - want) <= atol + rtol * Math.abs(want))) {
                fail(String.format("%s: %s[%d] = %.10g, expected %.10g (|diff| %.3g > atol %.1g + rtol %.1g*|expected|)",
                        c.name(), what, i, got[i], want, Math.abs(got[i] - want), atol, rtol));
            }
        }
    }

    static int[] shapeOf(JsonNode t) {
        JsonNode s = t.get("shape");
        int[] shape = new int[s.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = s.get(i).asInt();
        }
        return shape;
    }

    static DType dtypeOf(String name) {
        return DType.parse(name);
    }

    private static final ThreadLocal<io.nabla.backend.Device> DEVICE = new ThreadLocal<>();

    /**
     * Makes this thread's fixture tensors (inputs and upstream gradients) live on {@code device} until the returned
     * handle is closed, so the same golden factories run on an accelerator backend.
     */
    public static AutoCloseable onDevice(io.nabla.backend.Device device) {
        io.nabla.backend.Device previous = DEVICE.get();
        DEVICE.set(device);
        return () -> DEVICE.set(previous);
    }

    /** A fixture tensor as a new tensor of its dtype (on the device set by {@link #onDevice}, else the cpu). */
    public static Tensor tensor(JsonNode t) {
        Tensor host = hostTensor(t);
        io.nabla.backend.Device d = DEVICE.get();
        return d == null ? host : host.toDevice(d);
    }

    private static Tensor hostTensor(JsonNode t) {
        int[] shape = shapeOf(t);
        DType dt = dtypeOf(t.get("dtype").asString());
        JsonNode data = t.get("data");
        double[] values = new double[data.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = data.get(i);
            values[i] = v.isBoolean() ? (v.asBoolean() ? 1 : 0) : v.asDouble();
        }
        return Tensor.of(values, dt, shape);
    }

    /** One fixture case: its inputs (created on first use, with requires_grad as the fixture says) and args. */
    public static final class Case {
        final JsonNode json;
        final Map<String, Tensor> inputs = new LinkedHashMap<>();

        Case(JsonNode json) {
            this.json = json;
        }

        public String name() {
            return json.get("name").asString();
        }

        public String op() {
            return json.get("op").asString();
        }

        double rtol() {
            return json.get("tolerance").get("rtol").asDouble();
        }

        double atol() {
            return json.get("tolerance").get("atol").asDouble();
        }

        /** Input {@code name}, created once per case. */
        public Tensor in(String name) {
            return inputs.computeIfAbsent(name, n -> {
                JsonNode t = json.get("inputs").get(n);
                if (t == null) {
                    throw new IllegalArgumentException(name() + ": no input '" + n + "'");
                }
                Tensor x = tensor(t);
                if (t.has("requires_grad") && t.get("requires_grad").asBoolean()) {
                    x.requiresGrad(true);
                }
                return x;
            });
        }

        public boolean hasInput(String name) {
            return json.get("inputs").has(name);
        }

        /** The list inputs {@code x0, x1, ...} in order. */
        public List<Tensor> list() {
            List<Tensor> out = new ArrayList<>();
            for (int i = 0; hasInput("x" + i); i++) {
                out.add(in("x" + i));
            }
            return out;
        }

        public JsonNode args() {
            return json.get("args");
        }

        public boolean has(String arg) {
            return args().has(arg) && !args().get(arg).isNull();
        }

        public int i(String arg) {
            return args().get(arg).asInt();
        }

        public double d(String arg) {
            return args().get(arg).asDouble();
        }

        public boolean b(String arg) {
            return args().get(arg).asBoolean();
        }

        public String s(String arg) {
            return args().get(arg).asString();
        }

        /** An int list argument; a bare int becomes a one-element list. */
        public int[] ints(String arg) {
            JsonNode n = args().get(arg);
            if (n.isNumber()) {
                return new int[] {n.asInt()};
            }
            int[] out = new int[n.size()];
            for (int k = 0; k < out.length; k++) {
                out[k] = n.get(k).asInt();
            }
            return out;
        }

        @Override
        public String toString() {
            return name();
        }
    }
}
