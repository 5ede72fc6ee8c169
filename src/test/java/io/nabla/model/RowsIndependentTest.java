package io.nabla.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.autograd.GradMode;
import io.nabla.autograd.JoinOps;
import io.nabla.autograd.ShapeOps;
import io.nabla.backend.DType;
import io.nabla.nn.Generator;
import io.nabla.nn.Init;
import io.nabla.nn.Sequential;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Whether a model keeps the rows of dimension 0 apart (what lets the server stack requests) is told by its layers,
 * and is true exactly when it shows: run on two stacked inputs, a model that says so answers each as it answers it
 * alone, and a model that says not answers differently.
 */
class RowsIndependentTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "an MLP with norms|[-1, 6]|true|{\"type\": \"Linear\", \"in_features\": 6, \"out_features\": 8}, {\"type\": \"BatchNorm1d\", \"num_features\": 8}, {\"type\": \"LayerNorm\", \"normalized_shape\": 8}, {\"type\": \"Softmax\", \"dim\": 1}",
        "batch statistics in evaluation|[-1, 6]|false|{\"type\": \"BatchNorm1d\", \"num_features\": 6, \"track_running_stats\": false}",
        "a softmax along dimension 0|[-1, 6]|false|{\"type\": \"Softmax\", \"dim\": 0}",
        "PyTorch's implicit softmax dim of a 3D input, 0|[-1, 2, 3]|false|{\"type\": \"LogSoftmax\"}",
        "flattening dimension 0 away|[-1, 6]|false|{\"type\": \"Flatten\", \"start_dim\": 0}",
        "a layer norm over every dim|[-1, 6]|false|{\"type\": \"LayerNorm\", \"normalized_shape\": [2, 6]}",
        "an unbatched convolution (channels in dimension 0)|[-1, 5]|false|{\"type\": \"Conv1d\", \"in_channels\": 2, \"out_channels\": 2, \"kernel_size\": 3}",
        "a batched convolution|[-1, 2, 5]|true|{\"type\": \"Conv1d\", \"in_channels\": 2, \"out_channels\": 2, \"kernel_size\": 3}, {\"type\": \"GroupNorm\", \"num_groups\": 1, \"num_channels\": 2}",
        "batch-first attention|[-1, 3, 8]|true|{\"type\": \"TransformerEncoderLayer\", \"d_model\": 8, \"nhead\": 2, \"batch_first\": true}",
        "sequence-first attention (dimension 0 is the sequence)|[-1, 3, 8]|false|{\"type\": \"TransformerEncoderLayer\", \"d_model\": 8, \"nhead\": 2}",
        "unbatched attention|[-1, 8]|false|{\"type\": \"TransformerEncoder\", \"encoder_layer\": {\"d_model\": 8, \"nhead\": 2, \"batch_first\": true}, \"num_layers\": 2}",
        "mixing after a Linear|[-1, 6]|false|{\"type\": \"Linear\", \"in_features\": 6, \"out_features\": 6}, {\"type\": \"Softmax\", \"dim\": 0}",
    })
    void stackedRowsAnswerAsAloneExactlyWhenTheModelSaysSo(String what, String shape, boolean independent,
                                                           String layers) {
        int[] in = Arrays.stream(shape.replaceAll("[\\[\\] ]", "").split(",")).mapToInt(Integer::parseInt).toArray();
        int[] sized = in.clone();
        sized[0] = 2;
        ModelSpec spec = ModelSpec.parse("{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": " + shape
                + "}], \"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", \"shape\": " + outShape(layers, in)
                + "}], \"layers\": [" + layers + "]}");
        try (TensorScope s = TensorScope.open(); GradMode.Region ng = GradMode.disable()) {
            Sequential model = ModelBuilder.build(spec);
            model.eval();
            assertThat(model.rowsIndependent(in)).as(what).isEqualTo(independent);
            Generator g = new Generator(1);
            Tensor a = Init.normal(Tensor.empty(DType.FP32, sized), 0, 1, g);
            Tensor b = Init.normal(Tensor.empty(DType.FP32, sized), 0, 1, g);
            Tensor alone = model.forward(a);
            boolean same;
            try {
                // what a server stacking the two would hand the first: the output's rows for its input's rows
                Tensor first = ShapeOps.narrow(model.forward(JoinOps.cat(java.util.List.of(a, b), 0)), 0, 0, a.size(0));
                same = Arrays.equals(first.shape(), alone.shape()) && close(first.toDoubleArray(), alone.toDoubleArray());
            } catch (IllegalArgumentException e) {
                same = false; // the stacked input does not even fit (a dim 0 the layers read as channels)
            }
            assertThat(same).as("%s: the first request's rows, stacked with another's, answered as alone", what)
                    .isEqualTo(independent);
        }
    }

    /** The output shape the layers give (the spec must declare it). */
    private static String outShape(String layers, int[] in) {
        ModelSpec probe = ModelSpec.parse("{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": "
                + Arrays.toString(in) + "}], \"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", \"shape\": [1]}], "
                + "\"layers\": [" + layers + "]}");
        try (TensorScope s = TensorScope.open()) {
            Sequential m = new Sequential(probe.layers().stream().map(l -> LayerCatalog.create(l, new Generator(0)))
                    .toList());
            return Arrays.toString(m.outputShape(in));
        }
    }

    private static boolean close(double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            if (Math.abs(x[i] - y[i]) > 1e-5 + 1e-5 * Math.abs(y[i])) {
                return false;
            }
        }
        return true;
    }
}
