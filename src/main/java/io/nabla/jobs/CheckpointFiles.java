package io.nabla.jobs;

import io.nabla.model.SafetensorsFile;
import io.nabla.model.SafetensorsWriter;
import io.nabla.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A job's checkpoint on disk: one safetensors file {@code <store>/jobs/<id>/checkpoint.safetensors} holding the
 * tensors under {@code model.}, {@code optimizer.}, {@code rng.} and (mixed precision) {@code scaler.} prefixes and the step as metadata (format 2; format 1, written by earlier versions, held the losses too, and is
 * still read).
 *
 * <p>Guarantees: a checkpoint is replaced atomically (written to a temporary file, fsynced, renamed over the old
 * one, directory fsynced), so after a crash at any moment the file holds either the previous checkpoint or the new
 * one, complete; a leftover temporary file is ignored and removed. {@code checkpointWriteDelay} (fault injection for
 * tests) pauses between the fsync of the temporary file and the rename.
 */
final class CheckpointFiles {

    static final String FILE = "checkpoint.safetensors";
    static final String TEMP = ".checkpoint.safetensors.tmp";
    private static final String FORMAT = "nabla-job-checkpoint-2";
    /** Earlier versions' checkpoints, with every loss so far as metadata. */
    private static final String FORMAT_1 = "nabla-job-checkpoint-1";

    private final Path root;
    private final Duration writeDelay;

    CheckpointFiles(Path root, Duration writeDelay) {
        this.root = root;
        this.writeDelay = writeDelay;
    }

    Path dir(String jobId) {
        return root.resolve(jobId);
    }

    /** Writes {@code c} as the job's newest checkpoint, atomically. */
    void write(String jobId, Checkpoint c) {
        Path dir = dir(jobId);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        c.model().forEach((k, v) -> tensors.put("model." + k, v));
        c.optimizer().forEach((k, v) -> tensors.put("optimizer." + k, v));
        c.scaler().forEach((k, v) -> tensors.put("scaler." + k, v));
        c.best().forEach((k, v) -> tensors.put("best." + k, v));
        tensors.put("rng.epoch_start", Tensor.of(c.rngEpochStart(), c.rngEpochStart().length));
        tensors.put("rng.now", Tensor.of(c.rngNow(), c.rngNow().length));
        if (c.losses() != null) {
            throw new IllegalArgumentException("a checkpoint holds no losses (the job's record does), got "
                    + c.losses().size());
        }
        Map<String, String> meta = Map.of("format", FORMAT, "step", Integer.toString(c.step()));
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(TEMP);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING); OutputStream out = Channels.newOutputStream(ch)) {
                SafetensorsWriter.write(tensors, meta, out);
                ch.force(true);
            }
            pause();
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(dir);
        } catch (AtomicMoveNotSupportedException e) {
            throw new UncheckedIOException("the store's file system cannot replace " + dir.resolve(FILE)
                    + " atomically", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the checkpoint of job " + jobId + ": " + e.getMessage(), e);
        }
    }

    /** The job's newest checkpoint, its tensors allocated in the current scope; empty when it has none. */
    Optional<Checkpoint> read(String jobId) {
        Path dir = dir(jobId);
        Path file = dir.resolve(FILE);
        try {
            Files.deleteIfExists(dir.resolve(TEMP));
            if (!Files.isRegularFile(file)) {
                return Optional.empty();
            }
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                Map<String, String> meta = f.metadata();
                boolean withLosses = FORMAT_1.equals(meta.get("format"));
                if (!withLosses && !FORMAT.equals(meta.get("format"))) {
                    throw new IllegalStateException(file + " is not a job checkpoint: format " + meta.get("format"));
                }
                Map<String, Tensor> model = new LinkedHashMap<>();
                Map<String, Tensor> optimizer = new LinkedHashMap<>();
                Map<String, Tensor> scaler = new LinkedHashMap<>();
                Map<String, Tensor> best = new LinkedHashMap<>();
                for (String name : f.names()) {
                    if (name.startsWith("model.")) {
                        model.put(name.substring(6), f.tensor(name));
                    } else if (name.startsWith("optimizer.")) {
                        optimizer.put(name.substring(10), f.tensor(name));
                    } else if (name.startsWith("scaler.")) {
                        scaler.put(name.substring(7), f.tensor(name));
                    } else if (name.startsWith("best.")) {
                        best.put(name.substring(5), f.tensor(name));
                    }
                }
                return Optional.of(new Checkpoint(Integer.parseInt(meta.get("step")),
                        withLosses ? JobStore.losses(meta.get("losses")) : null, model, optimizer, f.tensor("rng.epoch_start")
                        .toLongArray(), f.tensor("rng.now").toLongArray(), scaler, best));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the checkpoint of job " + jobId + ": " + e.getMessage(), e);
        }
    }

    /** Removes the job's checkpoint directory (after it reached a final state). */
    void delete(String jobId) {
        Path dir = dir(jobId);
        try {
            Files.deleteIfExists(dir.resolve(TEMP));
            Files.deleteIfExists(dir.resolve(FILE));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the checkpoint of job " + jobId + ": " + e.getMessage(), e);
        }
    }

    private void pause() {
        if (writeDelay.isZero()) {
            return;
        }
        try {
            Thread.sleep(writeDelay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems cannot fsync a directory; the rename is still atomic there
        }
    }
}
