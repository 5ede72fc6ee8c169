package io.nabla.inference;

/**
 * A commit into a model that is not there any more: the model with the expected id was deleted, and perhaps another
 * model was created under its name since ({@link ModelStore#commit(String, ModelStore.Staging, String)}).
 */
public final class ModelReplacedException extends IllegalStateException {

    private final String model;
    private final boolean createdAgain;

    ModelReplacedException(String model, String expectedId, String actualId) {
        super("model '" + model + "' was deleted" + (actualId == null ? "" : " and created again") + ": expected "
                + "the model with id " + expectedId + ", " + (actualId == null ? "there is none now"
                : "the model now under the name has id " + actualId));
        this.model = model;
        this.createdAgain = actualId != null;
    }

    /** The model's name. */
    public String model() {
        return model;
    }

    /** True when another model has the name now; false when there is none. */
    public boolean createdAgain() {
        return createdAgain;
    }
}
