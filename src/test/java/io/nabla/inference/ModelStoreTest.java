package io.nabla.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTest {

    @TempDir
    Path root;

    private StoredVersion add(ModelStore store, String name, String spec) throws Exception {
        return add(store, name, spec, null);
    }

    private StoredVersion add(ModelStore store, String name, String spec, String modelId) throws Exception {
        try (ModelStore.Staging s = store.stage()) {
            Files.writeString(s.spec(), spec);
            Files.writeString(s.weights(), "w");
            return store.commit(name, s, modelId);
        }
    }

    @Test
    void versionsAreNumberedSurviveAReopenAndNeverReuseANumber() throws Exception {
        ModelStore store = new ModelStore(root);
        assertThat(add(store, "m", "a").version()).isEqualTo(1);
        assertThat(add(store, "m", "b").version()).isEqualTo(2);
        store.delete("m", 2);
        assertThat(add(store, "m", "c").version()).as("a deleted number is not reused").isEqualTo(3);

        ModelStore reopened = new ModelStore(root);
        assertThat(reopened.models()).containsExactly("m");
        assertThat(reopened.versions("m")).containsExactly(1, 3);
        assertThat(Files.readString(reopened.version("m", 1).spec())).isEqualTo("a");
        assertThat(Files.readString(reopened.newest("m").spec())).isEqualTo("c");
    }

    @Test
    void leftoversOfACrashAreRemovedAndNeverVisible() throws Exception {
        ModelStore store = new ModelStore(root);
        ModelStore.Staging abandoned = store.stage();
        Files.writeString(abandoned.spec(), "half written");
        assertThat(store.models()).isEmpty();
        new ModelStore(root);
        assertThat(Files.exists(abandoned.dir())).isFalse();
    }

    @Test
    void unknownModelsAndVersionsAre404AndBadNamesAre400() throws Exception {
        ModelStore store = new ModelStore(root);
        add(store, "m", "a");
        assertThatThrownBy(() -> store.versions("x")).isInstanceOf(InferenceException.class)
                .hasMessageContaining("'x' does not exist")
                .satisfies(e -> assertThat(((InferenceException) e).kind()).isEqualTo(InferenceException.Kind.NOT_FOUND));
        assertThatThrownBy(() -> store.version("m", 7)).hasMessageContaining("no version 7; it has [1]");
        for (String bad : new String[] {"..", "a..b", "../etc", "a/b", ".hidden", "", "x".repeat(65), "a b"}) {
            assertThatThrownBy(() -> store.versions(bad)).as(bad).isInstanceOf(InferenceException.class)
                    .satisfies(e -> assertThat(((InferenceException) e).kind())
                            .isEqualTo(InferenceException.Kind.INVALID));
        }
    }

    @Test
    void deletingTheLastVersionHidesTheModelButKeepsItsNumbering() throws Exception {
        ModelStore store = new ModelStore(root);
        add(store, "m", "a");
        add(store, "m", "b");
        store.delete("m", 1);
        store.delete("m", 2);
        assertThat(store.models()).isEmpty();
        assertThat(store.exists("m")).isFalse();
        assertThatThrownBy(() -> store.newest("m")).hasMessageContaining("'m' does not exist");
        assertThat(store.known("m")).as("its numbering is remembered").isTrue();
        assertThat(add(store, "m", "again").version()).as("number 1 and 2 are never given again").isEqualTo(3);

        store.delete("m", 3);
        ModelStore reopened = new ModelStore(root);
        assertThat(reopened.exists("m")).isFalse();
        assertThat(add(reopened, "m", "after a restart").version()).isEqualTo(4);
        assertThat(reopened.versions("m")).containsExactly(4);
    }

    @Test
    void deletingTheModelEndsItsNumberingAlsoWhenNoVersionIsLeft() throws Exception {
        ModelStore store = new ModelStore(root);
        add(store, "m", "a");
        store.delete("m", 1);
        store.delete("m");
        assertThat(store.known("m")).isFalse();
        assertThatThrownBy(() -> store.delete("m")).isInstanceOf(InferenceException.class)
                .hasMessageContaining("'m' does not exist");
        assertThat(add(store, "m", "a new model").version()).as("a new model starts at 1").isEqualTo(1);
    }

    @Test
    void aModelWrittenWithoutACounterFileKeepsItsNumbersWhenItsLastVersionIsDeleted() throws Exception {
        ModelStore store = new ModelStore(root);
        add(store, "m", "a");
        add(store, "m", "b");
        Files.delete(root.resolve("models/m/next-version")); // as an older release may have left it
        ModelStore reopened = new ModelStore(root);
        reopened.delete("m", 1);
        reopened.delete("m", 2);
        assertThat(add(new ModelStore(root), "m", "c").version()).isEqualTo(3);
    }

    @Test
    void aModelKeepsItsIdUntilItIsDeletedAndACommitCanRequireIt() throws Exception {
        ModelStore store = new ModelStore(root);
        assertThat(store.modelId("m")).isEmpty();
        add(store, "m", "a");
        String id = store.modelId("m").orElseThrow();
        store.delete("m", 1);
        assertThat(store.modelId("m")).as("all versions deleted").contains(id);
        assertThat(new ModelStore(root).modelId("m")).as("after a restart").contains(id);
        assertThat(add(store, "m", "b", id).version()).isEqualTo(2);
        assertThat(store.identified("m", null)).isEqualTo(new IdentifiedVersion(store.version("m", 2), id));
        assertThat(store.identified("m", 2).modelId()).isEqualTo(id);

        store.delete("m");
        assertThat(store.modelId("m")).isEmpty();
        assertThatThrownBy(() -> add(store, "m", "into the deleted model", id))
                .isInstanceOf(ModelReplacedException.class)
                .hasMessage("model 'm' was deleted: expected the model with id " + id + ", there is none now")
                .satisfies(e -> assertThat(((ModelReplacedException) e).createdAgain()).isFalse());
        assertThat(store.known("m")).as("nothing was created").isFalse();

        add(store, "m", "c");
        String other = store.modelId("m").orElseThrow();
        assertThat(other).isNotEqualTo(id);
        assertThat(new ModelStore(root).modelId("m")).contains(other);
        assertThatThrownBy(() -> add(store, "m", "into another model", id))
                .isInstanceOf(ModelReplacedException.class)
                .hasMessage("model 'm' was deleted and created again: expected the model with id " + id
                        + ", the model now under the name has id " + other)
                .satisfies(e -> assertThat(((ModelReplacedException) e).createdAgain()).isTrue());
        assertThat(store.versions("m")).containsExactly(1);
    }

    @Test
    void aModelStoredBeforeIdsExistedGetsOneThatStays() throws Exception {
        add(new ModelStore(root), "m", "a");
        Files.delete(root.resolve("models/m/model-id"));
        String id = new ModelStore(root).modelId("m").orElseThrow();
        assertThat(new ModelStore(root).modelId("m")).contains(id);
        assertThat(add(new ModelStore(root), "m", "b", id).version()).isEqualTo(2);
    }

    @Test
    void lookupsAfterEveryCommitAndDeleteSeeTheStoreAsItIsNow() throws Exception {
        ModelStore store = new ModelStore(root);
        add(store, "m", "a");
        assertThat(store.newest("m").version()).isEqualTo(1);
        add(store, "m", "b");
        assertThat(store.newest("m").version()).as("a commit after a lookup").isEqualTo(2);
        assertThat(store.versions("m")).containsExactly(1, 2);
        store.delete("m", 2);
        assertThat(store.versions("m")).as("a version deleted after a lookup").containsExactly(1);
        assertThat(Files.readString(store.newest("m").spec())).isEqualTo("a");
        store.delete("m");
        assertThatThrownBy(() -> store.newest("m")).hasMessageContaining("'m' does not exist");
        assertThat(store.exists("m")).isFalse();
        add(store, "m", "c");
        assertThat(store.versions("m")).as("a model created again after its delete").containsExactly(1);
    }
}
