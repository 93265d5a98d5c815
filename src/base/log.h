/* log.h - leveled logging to stderr. Never pass secrets. */
#ifndef KAMER_BASE_LOG_H
#define KAMER_BASE_LOG_H

enum log_level { LOGL_ERROR, LOGL_WARN, LOGL_INFO, LOGL_DEBUG };

void log_set_level(enum log_level lvl);
void log_msg(enum log_level lvl, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_error(mod, ...) log_msg(LOGL_ERROR, mod, __VA_ARGS__)
#define log_warn(mod, ...)  log_msg(LOGL_WARN, mod, __VA_ARGS__)
#define log_info(mod, ...)  log_msg(LOGL_INFO, mod, __VA_ARGS__)
#define log_debug(mod, ...) log_msg(LOGL_DEBUG, mod, __VA_ARGS__)

#endif
