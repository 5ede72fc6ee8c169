/**
 * Model specs ({@link io.nabla.model.ModelSpec}), the Sequential builder ({@link io.nabla.model.ModelBuilder}),
 * safetensors I/O ({@link io.nabla.model.SafetensorsFile}, {@link io.nabla.model.SafetensorsWriter}), and training:
 * {@link io.nabla.model.DataLoader} and the {@link io.nabla.model.Trainer} loop.
 *
 * <p>Depends on {@code nn}, {@code optim}, {@code autograd}, {@code tensor} and {@code backend}; plain Java (no
 * Spring), usable and testable without an application context.
 */
package io.nabla.model;
