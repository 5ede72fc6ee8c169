package io.nabla.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nabla.backend.DType;
import io.nabla.backend.HostAllocator;
import io.nabla.backend.SettledAllocator;
import io.nabla.config.NablaProperties;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadedModelTest {

    static final String SPEC = """
            {"inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 3]}],
             "outputs": [{"name": "output", "datatype": "FP64", "shape": [-1, 3]}], "layers": []}""";

    @TempDir
    Path dir;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ScaleModelLoader loader = new ScaleModelLoader();

    private LoadedModel load(String weights, Duration delay) throws Exception {
        Path v = Files.createDirectories(dir.resolve("m/1"));
        Files.writeString(v.resolve(StoredVersion.SPEC_FILE), SPEC);
        Files.writeString(v.resolve(StoredVersion.WEIGHTS_FILE), weights);
        byte[] spec = SPEC.getBytes(StandardCharsets.UTF_8);
        return LoadedModel.load(new StoredVersion("m", 1, v), spec, loader.signature(spec), loader,
                new NablaProperties.Batching(8, delay, 64), new InferenceMetrics(meters)).get(30, TimeUnit.SECONDS);
    }

    private static InferenceCall call(float... rowsOf3) {
        Tensor t = Tensor.of(rowsOf3, rowsOf3.length / 3, 3);
        return new InferenceCall(List.of(new InputTensor("input", DType.FP32, t.shape(), t)), List.of());
    }

    @Test
    void unloadingFreesEveryByteTheModelHeld() throws Exception {
        long before = SettledAllocator.allocatedBytes();
        LoadedModel m = load("scale=2", Duration.ZERO);
        long held = m.bytes();
        long afterLoad = HostAllocator.instance().allocatedBytes();
        assertThat(held).isGreaterThanOrEqualTo(ScaleModelLoader.PARAMETER_BYTES);
        assertThat(afterLoad - before).as("allocator counter grew by the model's bytes").isGreaterThanOrEqualTo(held);
        try (TensorScope request = TensorScope.open()) {
            assertThat(m.submit(call(1, 2, 3)).get(30, TimeUnit.SECONDS).get(0).data()).hasSize(3 * 8);
        }
        m.unload().get(30, TimeUnit.SECONDS);
        long afterUnload = HostAllocator.instance().allocatedBytes();
        assertThat(m.bytes()).isZero();
        assertThat(afterLoad - afterUnload).as("bytes returned by unloading").isGreaterThanOrEqualTo(held);
        assertThat(afterUnload).as("allocator back where it started").isLessThanOrEqualTo(before);
        assertThatThrownBy(() -> m.submit(call(1, 2, 3))).isInstanceOf(LoadedModel.Retired.class);
    }

    @Test
    void stackedRequestsEachGetTheirOwnRows() throws Exception {
        LoadedModel m = load("scale=3", Duration.ofMillis(200));
        List<CompletableFuture<List<OutputTensor>>> results = new ArrayList<>();
        List<float[]> inputs = new ArrayList<>();
        try (TensorScope request = TensorScope.open()) {
            for (int r = 0; r < 12; r++) {
                int rows = 1 + r % 3;
                float[] data = new float[rows * 3];
                for (int i = 0; i < data.length; i++) {
                    data[i] = r * 100 + i;
                }
                inputs.add(data);
                results.add(m.submit(call(data)));
            }
            for (int r = 0; r < results.size(); r++) {
                OutputTensor out = results.get(r).get(30, TimeUnit.SECONDS).get(0);
                float[] in = inputs.get(r);
                assertThat(out.shape()).containsExactly(in.length / 3, 3);
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(out.data()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < in.length; i++) {
                    assertThat(b.getDouble(i * 8)).as("request %d element %d", r, i).isEqualTo(in[i] * 3.0);
                }
            }
        } finally {
            m.unload().get(30, TimeUnit.SECONDS);
        }
        var requests = meters.find("nabla.inference.batch.requests").summary();
        var rows = meters.find("nabla.inference.batch.size").summary();
        assertThat(requests.max()).as("some forward pass stacked several requests").isGreaterThan(1);
        assertThat(rows.max()).as("no batch over the batch size").isLessThanOrEqualTo(8);
        assertThat(rows.totalAmount()).isEqualTo(24);
    }

    /**
     * A request whose values the model refuses (an index out of range, as an embedding checks) fails alone with
     * INVALID; the requests stacked into the same forward pass get their answers.
     */
    @Test
    void aRefusedRequestDoesNotFailTheRequestsBatchedWithIt() throws Exception {
        LoadedModel m = load("scale=2;refuse-negative", Duration.ofMillis(300));
        try (TensorScope request = TensorScope.open()) {
            CompletableFuture<List<OutputTensor>> good1 = m.submit(call(1, 2, 3));
            CompletableFuture<List<OutputTensor>> bad = m.submit(call(4, -5, 6));
            CompletableFuture<List<OutputTensor>> good2 = m.submit(call(7, 8, 9, 10, 11, 12));
            assertThat(good1.get(30, TimeUnit.SECONDS).get(0).shape()).containsExactly(1, 3);
            assertThat(good2.get(30, TimeUnit.SECONDS).get(0).shape()).containsExactly(2, 3);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(good2.get().get(0).data())
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            assertThat(b.getDouble(5 * 8)).isEqualTo(24.0);
            assertThatThrownBy(() -> bad.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(InferenceException.class)
                    .hasMessageContaining("rejected the input: index -5.0 is out of range (test)");
            assertThat(((InferenceException) catchCause(bad)).kind()).isEqualTo(InferenceException.Kind.INVALID);
        } finally {
            m.unload().get(30, TimeUnit.SECONDS);
        }
        assertThat(meters.find("nabla.inference.batch.requests").summary().max())
                .as("the three were stacked into one forward pass first").isEqualTo(3);
    }

    private static Throwable catchCause(CompletableFuture<?> f) {
        try {
            f.get();
            throw new AssertionError("expected a failure");
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Version 1 of model {@code name} in the test's store: {@code spec} and the weights it is initialised with. */
    private Path storeInitial(String name, String spec) throws java.io.IOException {
        Path v = Files.createDirectories(dir.resolve(name + "/1"));
        Files.writeString(v.resolve(StoredVersion.SPEC_FILE), spec);
        try (TensorScope s = TensorScope.open()) {
            io.nabla.model.SafetensorsWriter.write(io.nabla.model.ModelBuilder.build(io.nabla.model.ModelSpec.parse(
                    spec)).stateDict(), v.resolve(StoredVersion.WEIGHTS_FILE));
        }
        return v;
    }

    /**
     * A model whose rows of dimension 0 depend on each other (here a sequence-first transformer layer: dimension 0 is
     * the sequence) runs each request alone, with the queue's delay giving the worker every chance to stack them: each
     * answer is what the request gets by itself.
     */
    @Test
    void requestsToAModelThatMixesItsRowsAreNeverStacked() throws Exception {
        String spec = """
                {"inputs": [{"name": "x", "datatype": "FP32", "shape": [-1, 2, 8]}],
                 "outputs": [{"name": "y", "datatype": "FP32", "shape": [-1, 2, 8]}],
                 "layers": [{"type": "TransformerEncoderLayer", "d_model": 8, "nhead": 2, "dim_feedforward": 16}]}""";
        Path v = storeInitial("t", spec);
        byte[] bytes = spec.getBytes(StandardCharsets.UTF_8);
        SequentialModelLoader real = new SequentialModelLoader();
        ModelSignature signature = real.signature(bytes);
        assertThat(signature.batchable()).as("the spec alone would allow stacking").isTrue();
        LoadedModel m = LoadedModel.load(new StoredVersion("t", 1, v), bytes, signature, real,
                new NablaProperties.Batching(8, Duration.ofMillis(200), 64), new InferenceMetrics(meters))
                .get(30, TimeUnit.SECONDS);
        ModelProgram alone = real.build(bytes, v.resolve(StoredVersion.WEIGHTS_FILE));
        try (TensorScope request = TensorScope.open()) {
            List<CompletableFuture<List<OutputTensor>>> results = new ArrayList<>();
            List<Tensor> inputs = new ArrayList<>();
            for (int r = 0; r < 4; r++) {
                float[] data = new float[(r + 1) * 16];
                for (int i = 0; i < data.length; i++) {
                    data[i] = (float) Math.sin(r * 31 + i);
                }
                Tensor t = Tensor.of(data, r + 1, 2, 8);
                inputs.add(t);
                results.add(m.submit(new InferenceCall(List.of(new InputTensor("x", DType.FP32, t.shape(), t)),
                        List.of())));
            }
            for (int r = 0; r < results.size(); r++) {
                OutputTensor out = results.get(r).get(30, TimeUnit.SECONDS).get(0);
                float[] expected;
                try (io.nabla.autograd.GradMode.Region ng = io.nabla.autograd.GradMode.disable()) {
                    expected = alone.forward(java.util.Map.of("x", inputs.get(r))).get("y").toFloatArray();
                }
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(out.data()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < expected.length; i++) {
                    assertThat(b.getFloat(i * 4)).as("request %d element %d", r, i).isEqualTo(expected[i]);
                }
            }
        } finally {
            m.unload().get(30, TimeUnit.SECONDS);
        }
        assertThat(meters.find("nabla.inference.batch.requests").summary().max()).as("requests per forward pass")
                .isEqualTo(1);
    }

    /**
     * A request whose activations would pass the host memory limit (attention over a long sequence: its scores grow
     * with the square of the length) fails alone with OUT_OF_MEMORY (507), every byte of it returned; the model
     * answers the next request.
     */
    @Test
    void aRequestPastTheHostMemoryLimitFailsAloneAndTheModelKeepsServing() throws Exception {
        String spec = """
                {"inputs": [{"name": "x", "datatype": "FP32", "shape": [-1, -1, 8]}],
                 "outputs": [{"name": "y", "datatype": "FP32", "shape": [-1, -1, 8]}],
                 "layers": [{"type": "TransformerEncoderLayer", "d_model": 8, "nhead": 2, "dim_feedforward": 16,
                             "batch_first": true}]}""";
        Path v = storeInitial("long", spec);
        byte[] bytes = spec.getBytes(StandardCharsets.UTF_8);
        SequentialModelLoader real = new SequentialModelLoader();
        LoadedModel m = LoadedModel.load(new StoredVersion("long", 1, v), bytes, real.signature(bytes), real,
                new NablaProperties.Batching(8, Duration.ZERO, 64), new InferenceMetrics(meters))
                .get(30, TimeUnit.SECONDS);
        long previous = HostAllocator.instance().limit(HostAllocator.instance().allocatedBytes() + (64L << 20));
        try (TensorScope request = TensorScope.open()) {
            // 4,096 positions: 2 heads of 4,096 x 4,096 scores are 128 MiB
            Tensor big = Tensor.zeros(DType.FP32, 1, 4096, 8);
            long held = HostAllocator.instance().allocatedBytes();
            CompletableFuture<List<OutputTensor>> refused = m.submit(new InferenceCall(List.of(new InputTensor("x",
                    DType.FP32, big.shape(), big)), List.of()));
            assertThatThrownBy(() -> refused.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(InferenceException.class)
                    .hasMessageContaining("ran out of memory")
                    .hasMessageContaining("would pass the host memory limit");
            assertThat(((InferenceException) catchCause(refused)).kind())
                    .isEqualTo(InferenceException.Kind.OUT_OF_MEMORY);
            assertThat(HostAllocator.instance().allocatedBytes()).as("the failed pass's tensors are freed")
                    .isEqualTo(held);
            Tensor small = Tensor.zeros(DType.FP32, 2, 16, 8);
            List<OutputTensor> answer = m.submit(new InferenceCall(List.of(new InputTensor("x", DType.FP32,
                    small.shape(), small)), List.of())).get(30, TimeUnit.SECONDS);
            assertThat(answer.get(0).shape()).containsExactly(2, 16, 8);
        } finally {
            HostAllocator.instance().limit(previous);
            m.unload().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFailedLoadKeepsNothing() {
        long before = HostAllocator.instance().allocatedBytes();
        assertThatThrownBy(() -> load("scale=1;fail", Duration.ZERO)).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("corrupted");
        assertThat(HostAllocator.instance().allocatedBytes()).isLessThanOrEqualTo(before);
    }
}
