/**
 * The fast host backend: OpenBLAS for matrix products, specialised loops and both cores for the rest. Depends on io.nabla.backend and io.nabla.backend.reference.
 */
package io.nabla.backend.cpu;
