package io.nabla.jobs;

import static io.nabla.jobs.DatasetFiles.entry;
import static io.nabla.jobs.DatasetFiles.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.inference.InferenceException;
import io.nabla.model.SafetensorsFile;
import io.nabla.model.SafetensorsLimits;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetStoreTest {

    @TempDir
    Path root;

    private static InputStream golden() {
        return new ByteArrayInputStream(DatasetFiles.golden());
    }

    @Test
    void describesTheUploadAndKeepsTheFileUnchanged() throws IOException {
        DatasetStore store = new DatasetStore(root);
        DatasetInfo info = store.create(golden());

        assertThat(info.id()).matches("ds-[0-9a-f]{16}");
        assertThat(DatasetIds.isValid(info.id())).isTrue();
        assertThat(info.size()).isEqualTo(96);
        assertThat(info.tensors()).containsExactly(
                Map.entry("input", new TensorInfo("F32", List.of(96L, 20L))),
                Map.entry("target", new TensorInfo("I64", List.of(96L))));
        assertThat(store.find(info.id())).contains(info);
        assertThat(store.get(info.id())).isEqualTo(info);
        Path file = store.file(info.id());
        assertThat(file).isEqualTo(root.toAbsolutePath().resolve("datasets").resolve(info.id())
                .resolve("data.safetensors"));
        assertThat(Files.readAllBytes(file)).isEqualTo(DatasetFiles.golden());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.names()).containsExactly("input", "target");
        }
        assertThat(file.resolveSibling("dataset.json")).isRegularFile();
        assertThat(stagingEntries()).isEmpty();
    }

    @Test
    void survivesARestartAndListsNewestFirst() {
        DatasetStore store = new DatasetStore(root);
        DatasetInfo a = store.create(golden());
        DatasetInfo b = store.create(golden());
        DatasetInfo c = store.create(golden());
        assertThat(store.list()).extracting(DatasetInfo::id).containsExactly(c.id(), b.id(), a.id());

        DatasetStore reopened = new DatasetStore(root);
        assertThat(reopened.list()).containsExactly(c, b, a);
        assertThat(reopened.file(b.id())).isRegularFile();

        assertThat(reopened.delete(b.id())).isTrue();
        assertThat(reopened.delete(b.id())).isFalse();
        assertThat(new DatasetStore(root).list()).containsExactly(c, a);
    }

    @Test
    void aDatasetWithTheLongestAcceptedTensorNameSurvivesARestart() {
        String longest = "n".repeat(SafetensorsLimits.MAX_TENSOR_NAME_LENGTH);
        DatasetStore store = new DatasetStore(root);
        DatasetInfo info = store.create(new ByteArrayInputStream(raw("{" + entry(longest, "F32", "[2]", 0, 8) + "}",
                8)));
        assertThat(info.tensors()).containsOnlyKeys(longest);

        DatasetStore reopened = new DatasetStore(root);
        assertThat(reopened.find(info.id())).as("what the upload accepted, the restart reads").contains(info);
    }

    @Test
    void aTensorNameOverTheLimitIsRefusedAtUpload() {
        DatasetStore store = new DatasetStore(root);
        for (int length : new int[] {SafetensorsLimits.MAX_TENSOR_NAME_LENGTH + 1, 60_000}) {
            refused(store, raw("{" + entry("n".repeat(length), "F32", "[2]", 0, 8) + "}", 8),
                    "tensor name 'nnnn", "is too long: " + length + " characters, the limit for a tensor name is "
                            + SafetensorsLimits.MAX_TENSOR_NAME_LENGTH);
        }
        assertThat(store.list()).isEmpty();
    }

    @Test
    void aDescriptionParsesUnderTheSameLimitsAsTheHeaderItCameFrom() {
        String name = "n".repeat(60_000);
        DatasetInfo info = new DatasetInfo("ds-0123456789abcdef", 2, Map.of(name, new TensorInfo("F32", List.of(2L))),
                java.time.Instant.parse("2024-01-01T00:00:00Z"));
        assertThat(DatasetDescription.fromJson(DatasetDescription.toJson(info))).isEqualTo(info);
    }

    @Test
    void removesLeftoversOfACrashAndSkipsBrokenDirectories() throws IOException {
        DatasetStore store = new DatasetStore(root);
        DatasetInfo kept = store.create(golden());
        Path datasets = root.resolve("datasets");
        Files.createDirectories(datasets.resolve(".staging/half-written"));
        Files.write(datasets.resolve(".staging/half-written/data.safetensors"), new byte[10]);
        Files.createDirectories(datasets.resolve(".trash/half-deleted"));
        Files.createDirectories(datasets.resolve("ds-broken"));
        Files.writeString(datasets.resolve("ds-broken/dataset.json"), "{not json");

        DatasetStore reopened = new DatasetStore(root);
        assertThat(reopened.list()).containsExactly(kept);
        assertThat(stagingEntries()).isEmpty();
        try (Stream<Path> t = Files.list(datasets.resolve(".trash"))) {
            assertThat(t).isEmpty();
        }
    }

    @Test
    void concurrentUploadsGetDistinctIds() throws Exception {
        DatasetStore store = new DatasetStore(root);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<DatasetInfo>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(pool.submit(() -> store.create(golden())));
            }
            Set<String> ids = new HashSet<>();
            for (var f : futures) {
                ids.add(f.get().id());
            }
            assertThat(ids).hasSize(8);
            assertThat(new DatasetStore(root).list()).extracting(DatasetInfo::id)
                    .containsExactlyInAnyOrderElementsOf(ids);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void unknownAndMalformedIds() {
        DatasetStore store = new DatasetStore(root);
        assertThat(store.find("ds-0000000000000000")).isEmpty();
        assertThat(store.find("../x")).isEmpty();
        assertThat(store.find(null)).isEmpty();
        assertThatThrownBy(() -> store.file("ds-0000000000000000")).isInstanceOf(InferenceException.class)
                .hasMessageContaining("dataset 'ds-0000000000000000' does not exist")
                .extracting(e -> ((InferenceException) e).kind()).isEqualTo(InferenceException.Kind.NOT_FOUND);
        for (String bad : List.of("../etc", "a..b", ".hidden", "", "a/b", "x".repeat(65))) {
            assertThatThrownBy(() -> store.file(bad)).as(bad).isInstanceOf(InferenceException.class)
                    .hasMessageContaining("dataset id must match")
                    .extracting(e -> ((InferenceException) e).kind()).isEqualTo(InferenceException.Kind.INVALID);
            assertThatThrownBy(() -> store.delete(bad)).as(bad).isInstanceOf(InferenceException.class);
        }
        assertThat(store.delete("ds-0000000000000000")).isFalse();
    }

    @Test
    void refusesFilesThatAreNotDatasetsAndKeepsNothingOfThem() throws IOException {
        DatasetStore store = new DatasetStore(root);
        refused(store, "not safetensors".getBytes(), "not valid safetensors");
        refused(store, "PK\u0003\u0004zip and pickle".getBytes(), "looks like a zip archive");
        refused(store, raw("{}", 0), "holds no tensors");
        refused(store, raw("{\"__metadata__\":{\"format\":\"pt\"}}", 0), "holds no tensors");
        refused(store, raw("{" + entry("x", "F32", "[]", 0, 4) + "}", 4), "'x' is a scalar (0-d");
        refused(store, raw("{" + entry("input", "F32", "[3,2]", 0, 24) + "," + entry("target", "I64", "[2]", 24, 40)
                + "}", 40), "'input' has 3 (shape (3, 2))", "'target' has 2 (shape (2))");
        refused(store, raw("{" + entry("input", "F32", "[0,2]", 0, 0) + "}", 0), "no samples",
                "'input' (shape (0, 2)) is 0");
        assertThat(store.list()).isEmpty();
        assertThat(stagingEntries()).isEmpty();
        try (Stream<Path> d = Files.list(root.resolve("datasets"))) {
            assertThat(d.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(".staging", ".trash");
        }
    }

    @Test
    void refusalsNameTheFileAsTheClientUploadedIt() {
        DatasetStore store = new DatasetStore(root);
        byte[] bad = raw("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,+1]}}", 1);
        assertThatThrownBy(() -> store.create(new ByteArrayInputStream(bad), "C:\\data\\mnist-train.safetensors"))
                .hasMessageStartingWith("the dataset file is not valid safetensors: 'mnist-train.safetensors': header"
                        + " is not valid JSON at a.data_offsets[1] (line 1, column");
        assertThatThrownBy(() -> store.create(new ByteArrayInputStream(bad), null))
                .hasMessageStartingWith("the dataset file is not valid safetensors: the uploaded file: header");
        byte[] notADataset = raw("{" + entry("x", "F32", "[]", 0, 4) + "}", 4);
        assertThatThrownBy(() -> store.create(new ByteArrayInputStream(notADataset), "/home/me/train.safetensors"))
                .hasMessage("the dataset file 'train.safetensors' is not a dataset: dataset tensor 'x' is a scalar"
                        + " (0-d, shape ()); every tensor needs a first dimension N, the number of samples");
        assertThatThrownBy(() -> store.create(new ByteArrayInputStream(notADataset), null))
                .hasMessageStartingWith("the uploaded file is not a dataset: dataset tensor 'x'");
        assertThat(DatasetStore.displayName("/tmp/x/\u0007t.st")).isEqualTo("'t.st'");
        assertThat(DatasetStore.displayName("  ")).isEqualTo("the uploaded file");
        assertThat(DatasetStore.displayName("n".repeat(100))).isEqualTo("'" + "n".repeat(64) + "...'");
    }

    private static void refused(DatasetStore store, byte[] file, String... fragments) {
        assertThatThrownBy(() -> store.create(new ByteArrayInputStream(file)))
                .isInstanceOf(InferenceException.class)
                .satisfies(e -> assertThat(((InferenceException) e).kind()).isEqualTo(InferenceException.Kind.INVALID))
                .satisfies(e -> assertThat(e.getMessage()).contains(fragments));
    }

    private List<Path> stagingEntries() throws IOException {
        try (Stream<Path> s = Files.list(root.resolve("datasets/.staging"))) {
            return s.toList();
        }
    }
}
