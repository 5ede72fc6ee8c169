package io.nabla.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.backend.Device;
import io.nabla.gpu.ArenaScope;
import io.nabla.gpu.GpuPool;
import io.nabla.model.DataLoader;
import io.nabla.model.ModelBuilder;
import io.nabla.model.ModelSpec;
import io.nabla.model.ParameterBudget;
import io.nabla.model.Trainer;
import io.nabla.nn.Generator;
import io.nabla.nn.Loss;
import io.nabla.nn.Sequential;
import io.nabla.optim.Sgd;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.Iterator;
import java.util.Map;

/**
 * (c) A job's device memory on {@code cuda:0}, without Spring and without the job database (absent on the GPU
 * machine): the placement a starting job gets ({@link JobDevices#place}), then what {@link JobRun} does inside it
 * (the model built on the device, SGD with momentum state there, batches copied step by step, a checkpoint's host
 * copies) until the job ends or is cancelled after a few steps; when its scope and arena close, the device's
 * allocator is back where it started and no arena is left. {@code JobsOnDeviceTest} runs {@link JobRun} itself the
 * same way on fake GPUs.
 */
public final class JobScenarios {

    private JobScenarios() {
    }

    public static void jobMemoryIsReturned(GpuPool pool, boolean cancelAfterThreeSteps) {
        ModelSpec spec = ModelSpec.parse("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,16]}],"
                + "\"outputs\":[{\"name\":\"logits\",\"datatype\":\"FP32\",\"shape\":[-1,4]}],\"layers\":["
                + "{\"type\":\"Linear\",\"in_features\":16,\"out_features\":32},{\"type\":\"ReLU\"},"
                + "{\"type\":\"Linear\",\"in_features\":32,\"out_features\":4}]}");
        JobRequest request = JobRequest.parse("{\"model\":\"m\",\"dataset\":\"d\",\"loss\":\"cross_entropy\","
                + "\"optimizer\":{\"type\":\"sgd\",\"lr\":0.1,\"momentum\":0.9},\"batch_size\":8,\"epochs\":2,"
                + "\"device\":\"cuda:0\"}");
        long start = pool.gpu(0).allocator().stats().allocated();
        String owner = cancelAfterThreeSteps ? "job:cancelled" : "job:finished";
        JobDevices.Placement p = new JobDevices(pool).place(owner, "cuda:0", JobMemory.estimate(spec, request));
        assertThat(p.device()).isEqualTo(Device.cuda(0));
        int steps = 0;
        try (ArenaScope onDevice = p.arena().enter(); TensorScope job = TensorScope.open()) {
            Sequential model = ModelBuilder.build(spec, new Generator(0), ParameterBudget.DEFAULT_MAX_ELEMENTS,
                    Device.cuda(0));
            Trainer trainer = new Trainer(model, Loss.parse("cross_entropy"),
                    new Sgd(model.parameters(), Sgd.Options.lr(0.1).withMomentum(0.9)));
            DataLoader loader = new DataLoader(data(64, 16, 4), 8);
            double first = Double.NaN;
            double last = Double.NaN;
            outer:
            for (int epoch = 0; epoch < request.epochs(); epoch++) {
                for (Iterator<DataLoader.Batch> it = loader.epoch(); it.hasNext(); ) {
                    if (cancelAfterThreeSteps && steps == 3) {
                        break outer;
                    }
                    try (TensorScope step = TensorScope.open()) {
                        DataLoader.Batch b = it.next();
                        last = trainer.step(b.get("input"), b.get("target"));
                    }
                    first = Double.isNaN(first) ? last : first;
                    steps++;
                }
            }
            assertThat(first).as("first loss").isFinite();
            assertThat(last).as("loss after %d steps", steps).isFinite();
            try (TensorScope checkpoint = TensorScope.open()) {
                model.stateDict().forEach((k, v) -> assertThat(v.toDevice(Device.CPU).device()).isEqualTo(Device.CPU));
            }
            assertThat(p.arena().stats().allocated()).as("the job's bytes in its arena").isPositive();
        }
        assertThat(steps).isEqualTo(cancelAfterThreeSteps ? 3 : 16);
        assertThat(p.arena().stats().allocated()).as("arena after the job's scope closed").isZero();
        assertThat(p.arena().release()).as("bytes the arena still held at close").isZero();
        assertThat(pool.gpu(0).arenas()).isEmpty();
        assertThat(pool.gpu(0).allocator().stats().allocated()).isEqualTo(start);
    }

    /** {@code rows} samples of {@code features} inputs and int64 classes in [0, classes). */
    private static Map<String, Tensor> data(int rows, int features, int classes) {
        float[] x = new float[rows * features];
        long[] y = new long[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = i % classes;
            for (int j = 0; j < features; j++) {
                x[i * features + j] = (float) Math.sin(i * 1.3 + j * 0.7) + (j % classes == y[i] ? 1f : 0f);
            }
        }
        return Map.of("input", Tensor.of(x, rows, features), "target", Tensor.of(y, rows));
    }
}
