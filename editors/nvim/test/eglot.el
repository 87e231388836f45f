;; Drives Emacs eglot through the recipe of docs/editors.md (loaded before this file):
;; open dox.http, wait for the connection, M-x dox-insert-bearer, check the
;; header. Run by eglot.sh; exits 1 with one line on failure.
(defun dox-e2e-fail (fmt &rest args)
  (princ (format "eglot e2e: FAIL: %s\n" (apply #'format fmt args)) #'external-debugging-output)
  (kill-emacs 1))

(defun dox-e2e-wait (what seconds pred)
  (let ((deadline (+ (float-time) seconds)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (unless (funcall pred) (dox-e2e-fail "timed out after %ss waiting for %s" seconds what))))

(find-file (expand-file-name "dox.http" (getenv "DOX_E2E_WS")))
(unless (eq major-mode 'http-mode) (dox-e2e-fail "dox.http opened in %s" major-mode))
;; eglot-ensure connects from post-command-hook, which batch mode never runs.
(run-hooks 'post-command-hook)
(dox-e2e-wait "eglot to connect to doxls" 15 #'eglot-current-server)
(condition-case err
    (dox-insert-bearer)
  (error (dox-e2e-fail "dox-insert-bearer: %s" (error-message-string err))))
(dox-e2e-wait "the Bearer header" 10
              (lambda () (save-excursion (goto-char (point-min))
                                         (re-search-forward "^Authorization: Bearer [A-Za-z0-9_.-]+$" nil t))))
(let ((n (how-many "^Authorization: Bearer " (point-min) (point-max))))
  (unless (= n 1) (dox-e2e-fail "%d Bearer headers, want 1" n)))
(eglot-shutdown (eglot-current-server))
(princ "eglot e2e: ok\n" #'external-debugging-output)
(kill-emacs 0)
