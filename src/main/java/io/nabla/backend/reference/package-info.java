/**
 * The scalar reference backend: the oracle every fast kernel is tested against. Depends only on io.nabla.backend.
 */
package io.nabla.backend.reference;
