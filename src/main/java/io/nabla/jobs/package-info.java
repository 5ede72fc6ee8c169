/**
 * Asynchronous fine-tuning jobs (API section 4): {@link io.nabla.jobs.JobService} checks and queues requests,
 * {@link io.nabla.jobs.JobRunner} runs them on a worker per device with the plain training core
 * ({@code io.nabla.model.Trainer}), {@link io.nabla.jobs.JobStore} keeps their records in a relational database
 * (embedded H2 by default, PostgreSQL when configured) and checkpoints make them survive a crash or restart; a
 * job's result becomes the next version of its model through the inference package's {@code ModelRegistry}.
 * Datasets that jobs train on are kept by {@link io.nabla.jobs.DatasetStore}.
 *
 * <p>May depend on inference, model, nn, optim, autograd, tensor, backend and config; only web and config use it.
 */
package io.nabla.jobs;
