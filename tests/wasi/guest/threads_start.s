# wasi_thread_start(tid, start_arg): the entry every thread-spawn'ed
# thread runs in its own instance. Before any C code runs it must point
# this instance's __stack_pointer global at the thread's own stack (the
# first field of the start argument, struct thread_arg in threads.c);
# C cannot write that global itself.
	.globaltype	__stack_pointer, i32
	.functype	thread_entry (i32, i32) -> ()

	.text
	.globl	wasi_thread_start
	.type	wasi_thread_start,@function
	.export_name	wasi_thread_start, wasi_thread_start
wasi_thread_start:
	.functype	wasi_thread_start (i32, i32) -> ()
	local.get	1
	i32.load	0
	global.set	__stack_pointer
	local.get	0
	local.get	1
	call	thread_entry
	end_function
