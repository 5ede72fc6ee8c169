package io.nabla.tensor;

/**
 * The backward step that produced a non-leaf tensor. Implemented by the autograd engine; the tensor only keeps a
 * reference so that the graph can be walked from the output.
 */
public interface GradFn {

    /** The name of the op that recorded this step, e.g. {@code MulBackward}. */
    String name();
}
