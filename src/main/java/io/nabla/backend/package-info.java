/**
 * The backend SPI: dtypes, devices, memory blocks and allocators, layouts, and the kernel families a backend implements. Depends on nothing else in Nabla (plain Java plus JavaCPP).
 */
package io.nabla.backend;
