/**
 * Training data and asynchronous fine-tuning jobs (API sections 3 and 4). The on-disk
 * {@link io.nabla.jobs.DatasetStore} keeps uploaded safetensors datasets (tensors sharing their first dimension, the
 * samples) under {@code <nabla.store.path>/datasets}. {@link io.nabla.jobs.JobService} checks job requests against
 * the model and the dataset and queues them; {@link io.nabla.jobs.JobRunner} runs them on a worker per device with
 * the plain training core ({@code io.nabla.model.Trainer}, {@code DataLoader}, the optimizers);
 * {@link io.nabla.jobs.JobStore} keeps their records in a relational database through Spring JDBC (embedded H2 under
 * the store by default, PostgreSQL when {@code spring.datasource.url} says so); atomic checkpoints under
 * {@code <nabla.store.path>/jobs/checkpoints} let a job resume after a crash or restart; a job's result becomes the
 * next version of its model through the inference package's {@code ModelRegistry}, at most once.
 *
 * <p>Depends on inference (model store and registry, durable file writes, typed refusals), model, nn, optim,
 * tensor, backend and config; used by web.
 */
package io.nabla.jobs;
