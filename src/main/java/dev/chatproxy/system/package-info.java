/**
 * What every request shares: request ids, access logging, the one table of error types
 * ({@code ProblemType}) and the one writer of the error envelope ({@code Problems}), and
 * CORS rejections; the routes themselves are declared by their packages
 * ({@code ApiRoute}).
 */
@NullMarked
package dev.chatproxy.system;

import org.jspecify.annotations.NullMarked;
