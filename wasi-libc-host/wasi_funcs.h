/* The host functions of wasi_snapshot_preview1, as compiled code calls
 * them: env (the wasi_ctx) first, then the Wasm-level parameters (i32 ->
 * int32_t, i64 -> int64_t; guest pointers and sizes are i32), returning
 * a preview1 errno. A witx string is two parameters, pointer and length.
 * wasi_imports.c lists their Wasm signatures. */
#ifndef WASI_FUNCS_H
#define WASI_FUNCS_H

#include <stdint.h>

/* wasi_args.c */
int32_t wasi_args_get(void *env, int32_t argv, int32_t argv_buf);
int32_t wasi_args_sizes_get(void *env, int32_t argc_out, int32_t size_out);
int32_t wasi_environ_get(void *env, int32_t environ, int32_t environ_buf);
int32_t wasi_environ_sizes_get(void *env, int32_t count_out, int32_t size_out);

/* wasi_clock.c */
int32_t wasi_clock_res_get(void *env, int32_t id, int32_t res_out);
int32_t wasi_clock_time_get(void *env, int32_t id, int64_t precision,
                            int32_t time_out);

/* wasi_fd.c: data transfer and positioning */
int32_t wasi_fd_read(void *env, int32_t fd, int32_t iovs, int32_t iovs_len,
                     int32_t nread_out);
int32_t wasi_fd_write(void *env, int32_t fd, int32_t iovs, int32_t iovs_len,
                      int32_t nwritten_out);
int32_t wasi_fd_pread(void *env, int32_t fd, int32_t iovs, int32_t iovs_len,
                      int64_t offset, int32_t nread_out);
int32_t wasi_fd_pwrite(void *env, int32_t fd, int32_t iovs, int32_t iovs_len,
                       int64_t offset, int32_t nwritten_out);
int32_t wasi_fd_seek(void *env, int32_t fd, int64_t offset, int32_t whence,
                     int32_t newoffset_out);
int32_t wasi_fd_tell(void *env, int32_t fd, int32_t offset_out);

/* wasi_fd_ops.c: the descriptor itself */
int32_t wasi_fd_advise(void *env, int32_t fd, int64_t offset, int64_t len,
                       int32_t advice);
int32_t wasi_fd_allocate(void *env, int32_t fd, int64_t offset, int64_t len);
int32_t wasi_fd_close(void *env, int32_t fd);
int32_t wasi_fd_datasync(void *env, int32_t fd);
int32_t wasi_fd_sync(void *env, int32_t fd);
int32_t wasi_fd_renumber(void *env, int32_t fd, int32_t to);

/* wasi_fd_stat.c: attributes */
int32_t wasi_fd_fdstat_get(void *env, int32_t fd, int32_t stat_out);
int32_t wasi_fd_fdstat_set_flags(void *env, int32_t fd, int32_t flags);
int32_t wasi_fd_fdstat_set_rights(void *env, int32_t fd, int64_t base,
                                  int64_t inheriting);
int32_t wasi_fd_filestat_get(void *env, int32_t fd, int32_t stat_out);
int32_t wasi_fd_filestat_set_size(void *env, int32_t fd, int64_t size);
int32_t wasi_fd_filestat_set_times(void *env, int32_t fd, int64_t atim,
                                   int64_t mtim, int32_t fst_flags);
int32_t wasi_fd_prestat_get(void *env, int32_t fd, int32_t prestat_out);
int32_t wasi_fd_prestat_dir_name(void *env, int32_t fd, int32_t path,
                                 int32_t path_len);

/* wasi_readdir.c */
int32_t wasi_fd_readdir(void *env, int32_t fd, int32_t buf, int32_t buf_len,
                        int64_t cookie, int32_t bufused_out);

/* wasi_path.c: opening and inspecting */
int32_t wasi_path_open(void *env, int32_t fd, int32_t dirflags, int32_t path,
                       int32_t path_len, int32_t oflags, int64_t rights_base,
                       int64_t rights_inheriting, int32_t fdflags,
                       int32_t fd_out);
int32_t wasi_path_filestat_get(void *env, int32_t fd, int32_t flags,
                               int32_t path, int32_t path_len,
                               int32_t stat_out);
int32_t wasi_path_filestat_set_times(void *env, int32_t fd, int32_t flags,
                                     int32_t path, int32_t path_len,
                                     int64_t atim, int64_t mtim,
                                     int32_t fst_flags);
int32_t wasi_path_readlink(void *env, int32_t fd, int32_t path,
                           int32_t path_len, int32_t buf, int32_t buf_len,
                           int32_t bufused_out);

/* wasi_path_ops.c: changing the tree */
int32_t wasi_path_create_directory(void *env, int32_t fd, int32_t path,
                                   int32_t path_len);
int32_t wasi_path_remove_directory(void *env, int32_t fd, int32_t path,
                                   int32_t path_len);
int32_t wasi_path_unlink_file(void *env, int32_t fd, int32_t path,
                              int32_t path_len);
int32_t wasi_path_link(void *env, int32_t old_fd, int32_t old_flags,
                       int32_t old_path, int32_t old_path_len, int32_t new_fd,
                       int32_t new_path, int32_t new_path_len);
int32_t wasi_path_rename(void *env, int32_t fd, int32_t old_path,
                         int32_t old_path_len, int32_t new_fd, int32_t new_path,
                         int32_t new_path_len);
int32_t wasi_path_symlink(void *env, int32_t old_path, int32_t old_path_len,
                          int32_t fd, int32_t new_path, int32_t new_path_len);

/* wasi_poll.c */
int32_t wasi_poll_oneoff(void *env, int32_t in, int32_t out,
                         int32_t nsubscriptions, int32_t nevents_out);

/* wasi_proc.c */
void wasi_proc_exit(void *env, int32_t code);
int32_t wasi_proc_raise(void *env, int32_t sig);
int32_t wasi_sched_yield(void *env);

/* wasi_random.c */
int32_t wasi_random_get(void *env, int32_t buf, int32_t buf_len);

/* wasi_sock.c */
int32_t wasi_sock_accept(void *env, int32_t fd, int32_t flags, int32_t fd_out);
int32_t wasi_sock_recv(void *env, int32_t fd, int32_t ri_data,
                       int32_t ri_data_len, int32_t ri_flags,
                       int32_t ro_datalen_out, int32_t ro_flags_out);
int32_t wasi_sock_send(void *env, int32_t fd, int32_t si_data,
                       int32_t si_data_len, int32_t si_flags,
                       int32_t so_datalen_out);
int32_t wasi_sock_shutdown(void *env, int32_t fd, int32_t how);

#endif
