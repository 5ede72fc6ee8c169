package io.nabla.inference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The on-disk model store: {@code <root>/models/<name>/<version>/{spec.json, weights.safetensors}}.
 *
 * <p>Guarantees: a version directory appears only complete (it is assembled in {@code <root>/staging}, fsynced and
 * renamed into place in one atomic step), is never modified afterwards, and survives a restart; a version number is
 * never given twice within a model: a counter file beside the versions, written durably before a version appears or
 * disappears, remembers the highest number the model ever had, also once every version of it is deleted (such a
 * model does not exist for lookups, yet its next version continues the numbering); only deleting the model itself
 * ends it, and a model created under its name afterwards starts again at 1, with a new random id
 * ({@link #modelId}), so a model deleted and created again is never taken for the one before; a commit can require
 * the model to be the one with a given id ({@link #commit(String, Staging, String)}). Deletes first rename the
 * directory out of {@code models/} atomically, so a half-deleted version is never visible. Leftovers of a crash
 * (staging and trash) are removed on open. All paths are built from checked names, so nothing outside the root is
 * ever touched.
 *
 * <p>The versions of each model are scanned from disk once and then kept in memory, updated by every commit and
 * delete (the store is the only writer of its directory), so the lookups each inference request makes
 * ({@link #newest}, {@link #version}) read no directory and take no lock.
 */
public final class ModelStore {

    private final Path root;
    private final Path models;
    private final Path staging;
    private final Path trash;
    /** Versions of the models that exist (at least one version), ascending; written only under this's lock. */
    private final ConcurrentHashMap<String, List<Integer>> index = new ConcurrentHashMap<>();
    /** Ids of the models read or created so far; written only under this's lock. */
    private final ConcurrentHashMap<String, String> ids = new ConcurrentHashMap<>();

    public ModelStore(Path root) {
        try {
            this.root = root.toAbsolutePath().normalize();
            this.models = Files.createDirectories(this.root.resolve("models"));
            this.staging = this.root.resolve("staging");
            this.trash = this.root.resolve("trash");
            DurableFiles.deleteTree(staging);
            DurableFiles.deleteTree(trash);
            Files.createDirectories(staging);
            Files.createDirectories(trash);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the model store at " + root + ": " + e.getMessage(), e);
        }
    }

    public Path root() {
        return root;
    }

    /** A fresh, empty directory to assemble a new version in; close it to discard it unless committed. */
    public Staging stage() {
        try {
            return new Staging(Files.createDirectory(staging.resolve(UUID.randomUUID().toString())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a staging directory in " + staging, e);
        }
    }

    /** Makes the staged files the next version of {@code name} (created when new); returns that version. */
    public StoredVersion commit(String name, Staging staged) {
        return commit(name, staged, null);
    }

    /**
     * As {@link #commit(String, Staging)}, but only into the model whose id is {@code modelId} (null: whichever model
     * has the name now, created when there is none); {@link ModelReplacedException} when that model was deleted, or
     * deleted and created again, meanwhile. The check and the commit happen under one lock.
     */
    public synchronized StoredVersion commit(String name, Staging staged, String modelId) {
        ModelDirectory model = directory(name);
        Optional<String> current = currentId(name);
        if (modelId != null && !current.equals(Optional.of(modelId))) {
            throw new ModelReplacedException(name, modelId, current.orElse(null));
        }
        try {
            Files.createDirectories(model.dir());
            ids.put(name, model.id()); // a new model gets its id before its first version appears
            int next = model.nextVersion();
            DurableFiles.syncTree(staged.dir());
            Path target = model.dir().resolve(Integer.toString(next));
            model.writeNextVersion(next + 1);
            DurableFiles.move(staged.dir(), target);
            staged.committed = true;
            index.remove(name);
            return new StoredVersion(name, next, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store a new version of model '" + name + "': " + e.getMessage(),
                    e);
        }
    }

    /**
     * The id of the model named {@code name}, given when it was created: it stays while the model exists (also once
     * all its versions are deleted) and a model created under the name after a {@link #delete(String)} gets another.
     * Empty when there is no such model. Reads no file once known.
     */
    public Optional<String> modelId(String name) {
        String id = ids.get(ModelNames.check(name));
        return id != null ? Optional.of(id) : currentId(name);
    }

    private synchronized Optional<String> currentId(String name) {
        String id = ids.get(name);
        if (id != null) {
            return Optional.of(id);
        }
        ModelDirectory model = directory(name);
        if (!model.exists()) {
            return Optional.empty();
        }
        try {
            id = model.id();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the id of model '" + name + "': " + e.getMessage(), e);
        }
        ids.put(name, id);
        return Optional.of(id);
    }

    /**
     * The given version ({@code version} null: the newest) and the id of the model it belongs to, read together: no
     * delete and re-create of the model falls between them. 404 as {@link #version} and {@link #newest}.
     */
    public synchronized IdentifiedVersion identified(String name, Integer version) {
        StoredVersion v = version == null ? newest(name) : version(name, version);
        return new IdentifiedVersion(v, currentId(name).orElseThrow());
    }

    /** Names of all models that have at least one version, sorted. */
    public synchronized List<String> models() {
        List<String> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(models)) {
            dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().forEach(n -> {
                if (isValidName(n) && !new ModelDirectory(models.resolve(n)).versions().isEmpty()) {
                    out.add(n);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the model store " + models, e);
        }
        return out;
    }

    /** The versions of {@code name}, ascending (unmodifiable); 404 when the model does not exist. */
    public List<Integer> versions(String name) {
        List<Integer> versions = index.get(ModelNames.check(name));
        if (versions == null) {
            versions = scanned(name);
        }
        if (versions.isEmpty()) {
            throw InferenceException.notFound("model '" + name + "' does not exist");
        }
        return versions;
    }

    /** Reads the versions from disk and remembers them when the model exists. */
    private synchronized List<Integer> scanned(String name) {
        List<Integer> versions = index.get(name);
        if (versions == null) {
            versions = List.copyOf(directory(name).versions());
            if (!versions.isEmpty()) {
                index.put(name, versions);
            }
        }
        return versions;
    }

    /** True when {@code name} has at least one version. */
    public boolean exists(String name) {
        List<Integer> versions = index.get(ModelNames.check(name));
        return !(versions == null ? scanned(name) : versions).isEmpty();
    }

    /** The given version; 404 naming the model and the versions it has when absent. */
    public StoredVersion version(String name, int version) {
        List<Integer> versions = versions(name);
        if (!versions.contains(version)) {
            throw InferenceException.notFound("model '" + name + "' has no version " + version + "; it has "
                    + versions);
        }
        return new StoredVersion(name, version, modelDir(name).resolve(Integer.toString(version)));
    }

    /** The newest version of {@code name}; 404 when the model does not exist. */
    public StoredVersion newest(String name) {
        List<Integer> versions = versions(name);
        int v = versions.get(versions.size() - 1);
        return new StoredVersion(name, v, modelDir(name).resolve(Integer.toString(v)));
    }

    /** The version of {@code name} whose recorded origin is {@code origin}, if any (see ModelRegistry#create). */
    public synchronized Optional<StoredVersion> findByOrigin(String name, String origin) {
        Path modelDir = modelDir(name);
        for (int v : directory(name).versions()) {
            Path dir = modelDir.resolve(Integer.toString(v));
            Path file = dir.resolve(StoredVersion.ORIGIN_FILE);
            try {
                if (Files.isRegularFile(file) && Files.readString(file, StandardCharsets.UTF_8).equals(origin)) {
                    return Optional.of(new StoredVersion(name, v, dir));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        return Optional.empty();
    }

    /**
     * Deletes one version (404 when absent). With its last version the model stops existing for lookups
     * ({@link #exists}, {@link #versions}, {@link #models}: 404 as for a model never created), but it keeps its
     * numbering and its id: the counter is made durable first, so the next version is numbered after this one even
     * after a crash at any point.
     */
    public synchronized void delete(String name, int version) {
        StoredVersion v = version(name, version);
        try {
            directory(name).keepNumbering();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the version numbers of model '" + name + "': "
                    + e.getMessage(), e);
        }
        index.remove(name);
        discard(v.dir());
    }

    /**
     * True when {@code name} is a model of the store: it has versions, or had some that were all deleted (it keeps
     * its numbering and id until {@link #delete(String)} ends it).
     */
    public boolean known(String name) {
        return directory(name).exists();
    }

    /**
     * Ends a model: deletes all its versions, its numbering and its id, so a model created under the name afterwards
     * is a new one that starts at version 1. 404 when there is no such model; one whose versions were all deleted is
     * ended too.
     */
    public synchronized void delete(String name) {
        if (!known(name)) {
            throw InferenceException.notFound("model '" + name + "' does not exist");
        }
        index.remove(name);
        ids.remove(name);
        discard(modelDir(name));
    }

    private void discard(Path dir) {
        try {
            Path away = trash.resolve(UUID.randomUUID().toString());
            DurableFiles.move(dir, away);
            DurableFiles.deleteTree(away);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }

    private ModelDirectory directory(String name) {
        return new ModelDirectory(modelDir(name));
    }

    private Path modelDir(String name) {
        Path dir = models.resolve(ModelNames.check(name)).normalize();
        if (!dir.getParent().equals(models)) {
            throw InferenceException.invalid("model name '" + name + "' leaves the model store");
        }
        return dir;
    }

    private static boolean isValidName(String name) {
        try {
            ModelNames.check(name);
            return true;
        } catch (InferenceException e) {
            return false;
        }
    }

    /** A directory in which a new version is assembled; closing it deletes it unless it was committed. */
    public static final class Staging implements AutoCloseable {

        private final Path dir;
        private boolean committed;

        Staging(Path dir) {
            this.dir = dir;
        }

        public Path dir() {
            return dir;
        }

        public Path spec() {
            return dir.resolve(StoredVersion.SPEC_FILE);
        }

        public Path weights() {
            return dir.resolve(StoredVersion.WEIGHTS_FILE);
        }

        /** The file recording who made the version (optional). */
        public Path origin() {
            return dir.resolve(StoredVersion.ORIGIN_FILE);
        }

        @Override
        public void close() {
            if (!committed) {
                try {
                    DurableFiles.deleteTree(dir);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot remove staging directory " + dir, e);
                }
            }
        }
    }
}
