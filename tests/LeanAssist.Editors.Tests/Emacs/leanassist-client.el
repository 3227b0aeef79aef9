;;; leanassist-client.el --- eglot drives the LeanAssist server, in batch mode  -*- lexical-binding: t; -*-

;; Emacs's eglot drives the LeanAssist server as an Emacs user would configure it (docs/editors.md).
;; Run by EmacsEglotTests:  emacs --batch -l leanassist-client.el
;; Input (environment): LEANASSIST_EDITOR_SERVER_CMD (JSON array), LEANASSIST_EDITOR_ROOT (the Lake project),
;; LEANASSIST_EDITOR_FILE (a .lean file in it), LEANASSIST_EDITOR_SETTINGS (JSON: the leanAssist section),
;; LEANASSIST_EDITOR_TIMEOUT_MS (how long to wait for a verified code action), LEANASSIST_EDITOR_REPORT.
;; Output: one JSON object per line in the report file, saying what this client sent and saw; the test
;; asserts on it.  Emacs exits with 0 when the script ran to the end, 1 after an error.

(require 'cl-lib)
(require 'json)
(unless (require 'eglot nil t)
  (error "eglot is not installed (Debian: apt-get install elpa-eglot)"))

(defvar leanassist-report-path (or (getenv "LEANASSIST_EDITOR_REPORT") (error "LEANASSIST_EDITOR_REPORT is not set")))

(defun leanassist-report (event)
  "Append EVENT (a plist) to the report as one JSON line."
  (with-temp-buffer
    (insert (json-serialize event :null-object nil :false-object :json-false) "\n")
    (let ((coding-system-for-write 'utf-8-unix))
      (write-region (point-min) (point-max) leanassist-report-path t 'silent))))

(defun leanassist-parse (text)
  (json-parse-string text :object-type 'plist :array-type 'array :null-object nil :false-object :json-false))

(defun leanassist-wait (seconds predicate)
  "Process events until PREDICATE holds, for at most SECONDS; return PREDICATE's last value."
  (let ((deadline (+ (float-time) seconds)) value)
    (while (and (not (setq value (funcall predicate))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    value))

;; What the client sends for `initialize', exactly as encoded for the wire.
(defvar leanassist-initialize-json nil)
(advice-add 'jsonrpc--json-encode :filter-return
            (lambda (json)
              (when (and (null leanassist-initialize-json)
                         (string-match-p "\"method\":\"initialize\"" json))
                (setq leanassist-initialize-json json)
                (leanassist-report (list :event "initialize-message" :message json)))
              json))

;; The server's answer to it (the first message from the server with the initialize request's id).
(defvar leanassist-initialize-answer nil)
(advice-add 'jsonrpc--log-event :before
            (lambda (_connection message &optional type)
              (when (and (eq type 'server) (null leanassist-initialize-answer) leanassist-initialize-json
                         (plist-member message :id)
                         (equal (plist-get message :id) (plist-get (leanassist-parse leanassist-initialize-json) :id))
                         (or (plist-member message :result) (plist-member message :error)))
                (setq leanassist-initialize-answer message)
                (leanassist-report (list :event "initialize-answer" :error (plist-get message :error)
                                         :hasResult (if (plist-get message :result) t :json-false))))))

(defun leanassist-run ()
  (let* ((server-cmd (append (leanassist-parse (getenv "LEANASSIST_EDITOR_SERVER_CMD")) nil))
         (path (getenv "LEANASSIST_EDITOR_FILE"))
         (settings (leanassist-parse (or (getenv "LEANASSIST_EDITOR_SETTINGS") "{}")))
         (timeout (/ (string-to-number (or (getenv "LEANASSIST_EDITOR_TIMEOUT_MS") "60000")) 1000.0))
         (original (with-temp-buffer (insert-file-contents path) (split-string (buffer-string) "\n")))
         server)
    (leanassist-report (list :event "client" :name "emacs"
                             :version (format "%s-eglot-%s" emacs-version
                                              (let ((library (locate-library "eglot")))
                                                (if (and library (string-match "eglot-\\([0-9.]+\\)/" library))
                                                    (match-string 1 library)
                                                  "bundled")))))

    ;; What a user's init file does: a trivial major mode for .lean files (no Lean package here), the
    ;; server for it, and the settings the server pulls (workspace/configuration, section "leanAssist").
    (define-derived-mode lean4-mode prog-mode "Lean4")
    (add-to-list 'auto-mode-alist '("\\.lean\\'" . lean4-mode))
    (add-to-list 'eglot-server-programs `(lean4-mode . ,server-cmd))
    (setq-default eglot-workspace-configuration (list :leanAssist settings))
    (setq eglot-sync-connect nil)

    (find-file path)
    (leanassist-report (list :event "opened" :mode (symbol-name major-mode)))
    ;; M-x eglot: the contact and project eglot guesses for this buffer.
    (apply #'eglot (eglot--guess-contact))
    (unless (leanassist-wait 30 (lambda () (or leanassist-initialize-answer)))
      (error "The server did not answer initialize within 30 s"))
    (when (plist-get leanassist-initialize-answer :error)
      (error "initialize failed: %S" (plist-get leanassist-initialize-answer :error)))
    (unless (leanassist-wait 30 (lambda () (and (eglot-current-server) eglot--managed-mode)))
      (error "eglot did not start managing %s within 30 s" path))
    (setq server (eglot-current-server))
    (leanassist-report (list :event "initialize-result"
                             :serverInfo (eglot--server-info server)
                             :capabilities (eglot--capabilities server)))

    ;; The first `sorry' that is a proof (the doc comment mentions the word too).
    (goto-char (point-min))
    (re-search-forward "^[ \t]*\\(sorry\\)[ \t]*$")
    (let* ((beg (match-beginning 1)) (end (match-end 1)) (line (line-number-at-pos beg))
           (started (float-time)) (deadline (+ started timeout)) (attempts 0)
           actions verified)
      (goto-char beg)
      ;; Suggestions are computed in the background after didOpen: ask again until a verified action
      ;; is offered, for at most TIMEOUT seconds.
      (while (not verified)
        (setq attempts (1+ attempts))
        (setq actions (eglot-code-actions beg end))
        (setq verified (cl-find-if (lambda (a) (and (plist-get a :edit)
                                                    (string-match-p "closes the goal" (plist-get a :title))))
                                   actions))
        (unless verified
          (when (> (float-time) deadline)
            (leanassist-report (list :event "code-actions" :attempts attempts :verified :json-false
                                     :titles (vconcat (mapcar (lambda (a) (plist-get a :title)) actions))))
            (error "No verified code action within %s s" timeout))
          ;; Let eglot's process filter run (diagnostics, progress) before asking again.
          (accept-process-output nil 0.25)
          (unless (jsonrpc-running-p server)
            (error "The server exited while suggestions were computed"))))
      (leanassist-report (list :event "code-actions" :attempts attempts :verified t
                               :titles (vconcat (mapcar (lambda (a) (plist-get a :title)) actions))
                               :first (plist-get verified :title)
                               :elapsedMs (round (* 1000 (- (float-time) started))) :line line))

      ;; Hover, rendered as eldoc shows it.
      (let ((hover (jsonrpc-request server :textDocument/hover (eglot--TextDocumentPositionParams))))
        (leanassist-report (list :event "hover" :contents (plist-get hover :contents)
                                 :markdown (substring-no-properties
                                            (eglot--hover-info (plist-get hover :contents) (plist-get hover :range))))))

      ;; Apply it through eglot's own code-action menu, picking the verified title.
      (cl-letf (((symbol-function 'completing-read)
                 (lambda (&rest _) (plist-get verified :title))))
        ;; A keyboard event (C-c a, say), so eglot reads the choice with completing-read, not a mouse menu.
        (let ((last-nonmenu-event ?\r))
          (eglot--read-execute-code-action actions server)))
      (let* ((after (split-string (buffer-string) "\n")) changed)
        (cl-loop for index from 0 below (max (length original) (length after))
                 unless (equal (nth index original) (nth index after))
                 do (push (list :line (1+ index) :before (nth index original) :after (nth index after)) changed))
        (leanassist-report (list :event "applied" :title (plist-get verified :title)
                                 :changed (vconcat (nreverse changed))))))

    ;; shutdown, then exit, then wait for the process to end. Not `eglot-shutdown': its
    ;; `jsonrpc-shutdown' deletes (SIGKILLs) the process right after sending exit, before the server
    ;; can exit by itself, so its exit code would be lost.
    (setf (eglot--shutdown-requested server) t)
    (jsonrpc-request server :shutdown nil :timeout 30)
    (jsonrpc-notify server :exit nil)
    (let ((process (jsonrpc--process server)))
      (unless (leanassist-wait 30 (lambda () (not (process-live-p process))))
        (error "The server did not exit within 30 s after shutdown and exit"))
      (leanassist-report (list :event "server-exit"
                               :code (if (eq (process-status process) 'exit) (process-exit-status process) :json-false)
                               :signal (if (eq (process-status process) 'signal) (process-exit-status process) 0)
                               :status (symbol-name (process-status process)))))))

(condition-case err
    (progn
      (leanassist-run)
      (leanassist-report (list :event "done"))
      (kill-emacs 0))
  (error
   (leanassist-report (list :event "failed" :message (error-message-string err)))
   (dolist (process (process-list)) (delete-process process))
   (kill-emacs 1)))
