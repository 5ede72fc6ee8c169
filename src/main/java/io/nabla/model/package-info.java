/**
 * Model specs, the Sequential builder and safetensors I/O ({@link io.nabla.model.SafetensorsFile},
 * {@link io.nabla.model.SafetensorsWriter}).
 *
 * <p>Depends on {@code nn}, {@code optim}, {@code autograd}, {@code tensor} and {@code backend}; plain Java (no
 * Spring), usable and testable without an application context.
 */
package io.nabla.model;
