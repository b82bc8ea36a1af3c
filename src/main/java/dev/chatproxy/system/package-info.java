/**
 * What every request shares: request ids, access logging, problem-details errors, CORS
 * and web configuration.
 */
@NullMarked
package dev.chatproxy.system;

import org.jspecify.annotations.NullMarked;
