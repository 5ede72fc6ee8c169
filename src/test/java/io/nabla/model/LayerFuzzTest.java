package io.nabla.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.autograd.GradMode;
import io.nabla.backend.DType;
import io.nabla.backend.HostAllocator;
import io.nabla.backend.OutOfDeviceMemoryException;
import io.nabla.nn.Generator;
import io.nabla.nn.Module;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every layer type of the catalog, built from random argument values (good ones, negative, zero, huge, wrong kinds)
 * and run in both modes, with gradients, then under BF16 autocast (also with its weights cast once) and quantized to
 * INT8 where it has Linears, on random inputs (ranks 1 to 5, small sizes, float or integer): each step
 * either works or fails with a named {@link IllegalArgumentException} (a 400 at the HTTP layer), or with
 * {@link OutOfDeviceMemoryException} (507) under a 256 MiB host memory limit set for the run; never another
 * exception, which the server would answer 500. Where the layer accepts the input, the shape it predicted is the one
 * it gives.
 */
class LayerFuzzTest {

    private static final Object[] VALUES = {0, 1, 2, 3, 5, -1, -2, 1 << 20, Integer.MAX_VALUE, 0.5, 1.7, -0.25, 1e300,
        true, false, null, "nearest", "bilinear", "linear", "bicubic", "area", "nearest-exact", "tanh", "mean", "max",
        "sum", "relu", "gelu", "zeros", "reflect",
        "same", "valid", "bogus", new int[] {2, 3}, new int[] {1}, new int[] {1, 2, 3, 4}, new int[] {0, -1},
        new int[] {}, new int[] {-1, 2}};

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void everyLayerWorksOrFailsByName() {
        Random rnd = new Random(Long.getLong("nabla.fuzz.seed", 20261207L));
        int trials = Integer.getInteger("nabla.fuzz.trials", 60);
        List<String> failures = new ArrayList<>();
        int built = 0;
        int ran = 0;
        long previous = HostAllocator.instance().limit(HostAllocator.instance().allocatedBytes() + (256L << 20));
        try {
            for (String type : LayerCatalog.types()) {
                for (int t = 0; t < trials; t++) {
                    ObjectNode layer = JSON.createObjectNode();
                    layer.put("type", type);
                    for (LayerCatalog.Arg a : LayerCatalog.args(type)) {
                        if (rnd.nextInt(3) > 0) {
                            layer.set(a.name(), JSON.valueToTree(VALUES[rnd.nextInt(VALUES.length)]));
                        }
                    }
                    int[] shape = new int[1 + rnd.nextInt(5)];
                    for (int d = 0; d < shape.length; d++) {
                        shape[d] = 1 + rnd.nextInt(6);
                    }
                    boolean integer = rnd.nextInt(4) == 0;
                    String outcome = runOnce(type, layer, shape, integer);
                    if (outcome.startsWith("failure")) {
                        failures.add(outcome);
                    }
                    built += outcome.equals("built") || outcome.equals("ran") ? 1 : 0;
                    ran += outcome.equals("ran") ? 1 : 0;
                }
            }
        } finally {
            HostAllocator.instance().limit(previous);
        }
        assertThat(failures).as("layers that failed with something other than a named 400 or a 507").isEmpty();
        assertThat(built).as("layers built from random arguments").isGreaterThan(LayerCatalog.types().size());
        assertThat(ran).as("layers that ran on a random input").isGreaterThan(LayerCatalog.types().size());
    }

    /** "failure: ..." when a step threw anything but a named IllegalArgumentException or OutOfDeviceMemoryException. */
    private static String runOnce(String type, JsonNode layer, int[] shape, boolean integer) {
        String what = layer + " on " + (integer ? "int64 " : "float32 ") + Shape.format(shape);
        String stage = "parse";
        try (TensorScope scope = TensorScope.open()) {
            LayerSpec spec = new LayerSpec(type, LayerCatalog.normalize(type, layer, "layers[0]"));
            stage = "build";
            Module m = LayerCatalog.create(spec, new Generator(1));
            stage = "shape";
            int[] predicted = m.outputShape(shape);
            m.rowsIndependent(shape);
            stage = "forward";
            Tensor x = integer ? Tensor.zeros(DType.INT64, shape)
                    : io.nabla.nn.Init.normal(Tensor.empty(DType.FP32, shape), 0, 1, new Generator(2));
            if (!integer) {
                x.requiresGrad(true);
            }
            m.train();
            Tensor y = m.forward(x);
            if (!java.util.Arrays.equals(y.shape(), predicted)) {
                return "failure: " + what + " gave " + Shape.format(y.shape()) + ", predicted "
                        + Shape.format(predicted);
            }
            if (y.requiresGrad() && y.dtype().isFloatingPoint()) {
                stage = "backward";
                io.nabla.autograd.Autograd.backward(io.nabla.autograd.ReduceOps.sum(y));
            }
            stage = "eval";
            m.eval();
            try (GradMode.Region off = GradMode.disable()) {
                m.forward(x);
                stage = "bf16 autocast";
                try (io.nabla.autograd.Autocast.Region a = io.nabla.autograd.Autocast.enable(DType.BF16)) {
                    m.forward(x);
                    stage = "bf16 weights";
                    m.castMatrixWeights(DType.BF16);
                    m.forward(x);
                }
                stage = "int8";
                io.nabla.nn.Sequential q = new io.nabla.nn.Sequential(m);
                if (!q.quantizableLinears().isEmpty()) {
                    q.quantizeDynamic().forward(x);
                }
            }
            return "ran";
        } catch (IllegalArgumentException e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                return "failure: " + what + " (" + stage + ") threw an IllegalArgumentException without a message";
            }
            return stage.equals("parse") ? "refused" : stage.equals("build") ? "refused" : "built";
        } catch (OutOfDeviceMemoryException e) {
            return "built";
        } catch (RuntimeException | Error e) {
            return "failure: " + what + " (" + stage + ") threw " + e
                    + (e.getStackTrace().length > 0 ? " at " + e.getStackTrace()[0] : "");
        }
    }
}
