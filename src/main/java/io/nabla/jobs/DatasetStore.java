package io.nabla.jobs;

import io.nabla.inference.DurableFiles;
import io.nabla.inference.InferenceException;
import io.nabla.model.SafetensorsException;
import io.nabla.model.SafetensorsFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk dataset store: {@code <root>/datasets/<id>/{data.safetensors, dataset.json}}.
 *
 * <p>Guarantees: an upload is streamed to a file in the store (never held in memory), validated there, and made
 * visible only complete: it is assembled in {@code datasets/.staging}, fsynced and renamed into place in one atomic
 * step, then never modified. Datasets survive a restart (the store reads the descriptions on open). A delete first
 * renames the directory out of sight atomically, so a half-deleted dataset is never listed. Leftovers of a crash
 * (staging and trash) are removed on open. Ids are made here and checked against the name grammar, so nothing
 * outside the root is ever touched. Thread-safe.
 */
public final class DatasetStore {

    /** The stored safetensors file of a dataset. */
    static final String DATA_FILE = "data.safetensors";
    /** The stored description of a dataset ({@link DatasetDescription}). */
    static final String DESCRIPTION_FILE = "dataset.json";

    private static final Logger LOG = LoggerFactory.getLogger(DatasetStore.class);

    private final Path datasets;
    private final Path staging;
    private final Path trash;
    private final Map<String, DatasetInfo> byId = new ConcurrentHashMap<>();

    /** Opens (creating when absent) the dataset store under {@code root}, the same root as the model store. */
    public DatasetStore(Path root) {
        try {
            this.datasets = Files.createDirectories(root.toAbsolutePath().normalize().resolve("datasets"));
            this.staging = datasets.resolve(".staging");
            this.trash = datasets.resolve(".trash");
            DurableFiles.deleteTree(staging);
            DurableFiles.deleteTree(trash);
            Files.createDirectories(staging);
            Files.createDirectories(trash);
            scan();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the dataset store at " + root + ": " + e.getMessage(), e);
        }
    }

    private void scan() throws IOException {
        try (Stream<Path> dirs = Files.list(datasets)) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                String id = dir.getFileName().toString();
                if (!DatasetIds.isValid(id) || !Files.isDirectory(dir)) {
                    continue;
                }
                try {
                    DatasetInfo info = DatasetDescription.fromJson(Files.readAllBytes(dir.resolve(DESCRIPTION_FILE)));
                    if (!info.id().equals(id) || !Files.isRegularFile(dir.resolve(DATA_FILE))) {
                        throw new IllegalArgumentException("the description names '" + info.id()
                                + "' or the data file is missing");
                    }
                    byId.put(id, info);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("skipping dataset directory {}: {}", dir, e.getMessage());
                }
            }
        }
    }

    /**
     * Stores an uploaded safetensors file as a new dataset and returns its description. The file must hold at least
     * one tensor, each at least 1-D, all sharing their first dimension N >= 1; anything else (including files that
     * are not safetensors, such as a zip archive or a pickle) is an {@link InferenceException} (400) naming the flaw.
     */
    public DatasetInfo create(InputStream upload) {
        return create(upload, null);
    }

    /**
     * As {@link #create(InputStream)}; refusals name the file {@code uploadName} (the filename the client sent, or
     * null when it sent none), because the name it is stored under means nothing to the client.
     */
    public DatasetInfo create(InputStream upload, String uploadName) {
        Path dir = newStagingDir();
        boolean committed = false;
        try {
            Path data = dir.resolve(DATA_FILE);
            DurableFiles.copy(upload, data);
            DatasetContents contents = contents(data, displayName(uploadName));
            DatasetInfo info = commit(dir, contents);
            committed = true;
            return info;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the dataset: " + e.getMessage(), e);
        } finally {
            if (!committed) {
                discardQuietly(dir);
            }
        }
    }

    private Path newStagingDir() {
        try {
            return Files.createDirectory(staging.resolve(UUID.randomUUID().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a staging directory in " + staging, e);
        }
    }

    /**
     * A client's filename fit for a message: its last path segment (browsers may send a full path), without control
     * characters, at most 64 characters, quoted; "the uploaded file" when there is none.
     */
    static String displayName(String uploadName) {
        String name = uploadName == null ? "" : uploadName.substring(Math.max(uploadName.lastIndexOf('/'),
                uploadName.lastIndexOf('\\')) + 1).replaceAll("\\p{Cntrl}", "").strip();
        if (name.isEmpty()) {
            return "the uploaded file";
        }
        return "'" + (name.length() > 64 ? name.substring(0, 64) + "..." : name) + "'";
    }

    private static DatasetContents contents(Path data, String name) throws IOException {
        try (SafetensorsFile file = SafetensorsFile.open(data, name)) {
            return DatasetContents.of(file);
        } catch (SafetensorsException e) {
            throw InferenceException.invalid("the dataset file is not valid safetensors: " + e.getMessage());
        } catch (InferenceException e) {
            // valid safetensors but not a dataset: named as the structural errors are, by the client's filename
            throw InferenceException.invalid((name.startsWith("'") ? "the dataset file " + name : name)
                    + " is not a dataset: " + e.getMessage());
        }
    }

    private synchronized DatasetInfo commit(Path dir, DatasetContents contents) throws IOException {
        String id = DatasetIds.generate();
        while (byId.containsKey(id) || Files.exists(datasets.resolve(id))) {
            id = DatasetIds.generate();
        }
        DatasetInfo info = new DatasetInfo(id, contents.size(), contents.tensors(), Instant.now());
        DurableFiles.write(dir.resolve(DESCRIPTION_FILE), DatasetDescription.toJson(info));
        DurableFiles.syncTree(dir);
        DurableFiles.move(dir, datasets.resolve(id));
        byId.put(id, info);
        return info;
    }

    /** The dataset {@code id}; empty when there is none (an id outside the name grammar included). */
    public Optional<DatasetInfo> find(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(byId.get(id));
    }

    /** The dataset {@code id}: 400 when the id is outside the name grammar, 404 when there is no such dataset. */
    public DatasetInfo get(String id) {
        DatasetIds.check(id);
        return find(id).orElseThrow(() -> InferenceException.notFound("dataset '" + id + "' does not exist"));
    }

    /** Every dataset, newest first. */
    public List<DatasetInfo> list() {
        return byId.values().stream().sorted(Comparator.comparing(DatasetInfo::createdAt).reversed()
                .thenComparing(DatasetInfo::id)).toList();
    }

    /**
     * The stored safetensors file of dataset {@code id} (open it with {@link SafetensorsFile#open}); 400 when the id
     * is outside the name grammar, 404 when there is no such dataset. Use {@link #find} to refuse unknown ids
     * differently.
     */
    public Path file(String id) {
        return datasets.resolve(get(id).id()).resolve(DATA_FILE);
    }

    /**
     * Deletes dataset {@code id}; false when there is none. A file already opened (a job reading it) stays readable
     * until it is closed. 400 when the id is outside the name grammar.
     */
    public synchronized boolean delete(String id) {
        DatasetIds.check(id);
        if (byId.remove(id) == null) {
            return false;
        }
        try {
            Path away = trash.resolve(UUID.randomUUID().toString());
            DurableFiles.move(datasets.resolve(id), away);
            DurableFiles.deleteTree(away);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete dataset '" + id + "': " + e.getMessage(), e);
        }
    }

    private static void discardQuietly(Path dir) {
        try {
            DurableFiles.deleteTree(dir);
        } catch (IOException e) {
            LOG.warn("cannot remove staging directory {}: {}", dir, e.getMessage());
        }
    }
}
