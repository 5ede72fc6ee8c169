/**
 * Serving models: the on-disk model store, the registry of loaded versions, one worker thread and one TensorScope
 * per loaded version, and dynamic batching. Depends on model, nn, autograd, tensor and config; used by web and jobs.
 */
package io.nabla.inference;
