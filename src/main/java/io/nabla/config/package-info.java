/**
 * Configuration of the service: the {@code nabla.*} properties with their defaults, settings derived from them, and
 * the startup checks. Spring lives here; it may be used by web, inference and jobs.
 */
package io.nabla.config;
