/**
 * The postpress client: one WebClient, its configuration, error decoding and the
 * Resilience4j composition that guards every upstream call.
 */
@NullMarked
package dev.chatproxy.upstream;

import org.jspecify.annotations.NullMarked;
