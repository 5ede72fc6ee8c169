/**
 * Training data and, soon, fine-tuning jobs: the on-disk {@link io.nabla.jobs.DatasetStore} of uploaded safetensors
 * datasets (tensors sharing their first dimension, the samples) under {@code <nabla.store.path>/datasets}. Depends
 * on inference (the store's durable file writes and its typed refusals), model (the validating safetensors reader)
 * and config; used by web.
 */
package io.nabla.jobs;
