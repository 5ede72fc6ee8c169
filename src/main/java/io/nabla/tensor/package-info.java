/**
 * Tensors as views over storages, shapes and memory scopes. Depends only on io.nabla.backend; knows nothing of autograd beyond the GradFn it holds.
 */
package io.nabla.tensor;
