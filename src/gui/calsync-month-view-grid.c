/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-month-view-grid.c: the month view as a keyboard and a screen reader
 * use it — week rows of focusable day cells (an accessible grid), Tab day by
 * day through each day's chips, arrow keys between days, Enter on a day. The
 * rest of the view (chips, layout, loading) is in calsync-month-view.c. */
#define G_LOG_DOMAIN "calsync-month-view"

#include "config.h"

#include "calsync-date-utils.h"
#include "calsync-month-view-private.h"

/* A day cell: a vertical box that takes the keyboard focus itself (a focusable
 * GtkBox only passes it on to its children), a cell of the accessible grid. */
#define CALSYNC_TYPE_MONTH_CELL (calsync_month_cell_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncMonthCell, calsync_month_cell, CALSYNC, MONTH_CELL, GtkWidget)

struct _CalsyncMonthCell
{
  GtkWidget parent_instance;
};

G_DEFINE_FINAL_TYPE (CalsyncMonthCell, calsync_month_cell, GTK_TYPE_WIDGET)

static void
calsync_month_cell_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (calsync_month_cell_parent_class)->dispose (object);
}

static void
calsync_month_cell_class_init (CalsyncMonthCellClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = calsync_month_cell_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  /* Styled as the box it was: calsync-month-view box.day */
  gtk_widget_class_set_css_name (widget_class, "box");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GRID_CELL);
}

static void
calsync_month_cell_init (CalsyncMonthCell *self)
{
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
}

static void
row_measure (GtkWidget      *row,
             GtkOrientation  orientation,
             int             for_size,
             int            *minimum,
             int            *natural,
             int            *minimum_baseline,
             int            *natural_baseline)
{
  /* The view gives each row its size */
  *minimum = *natural = 0;
}

/* A week row: its seven cells side by side, as the view's geometry has them
 * (the view allocates the chips, which are its own children). */
static void
row_allocate (GtkWidget *row,
              int        width,
              int        height,
              int        baseline)
{
  gboolean rtl = gtk_widget_get_direction (row) == GTK_TEXT_DIR_RTL;
  double cell_width = width / (double) N_COLS;
  int col = 0;

  for (GtkWidget *cell = gtk_widget_get_first_child (row);
       cell != NULL;
       cell = gtk_widget_get_next_sibling (cell), col++)
    {
      double x = col * cell_width;
      GtkAllocation alloc;

      if (rtl)
        x = width - x - cell_width;
      alloc.x = (int) x;
      alloc.y = 0;
      alloc.width = MAX (1, (int) (x + cell_width) - alloc.x);
      alloc.height = MAX (1, height);
      gtk_widget_size_allocate (cell, &alloc, -1);
    }
}

/* Keyboard: Tab goes day by day, each day's cell followed by its chips and its
 * "+N more"; arrow keys move between the days' cells. */

static int
compare_segments_by_day (gconstpointer a,
                         gconstpointer b,
                         gpointer      user_data)
{
  GArray *segments = user_data;
  const Segment *sa = &g_array_index (segments, Segment, *(const guint *) a);
  const Segment *sb = &g_array_index (segments, Segment, *(const guint *) b);
  int day_a = sa->row * N_COLS + sa->first_col;
  int day_b = sb->row * N_COLS + sb->first_col;

  if (day_a != day_b)
    return day_a - day_b;
  return sa->lane - sb->lane;
}

/* The widgets Tab visits, in order (shown or not) */
GPtrArray *
calsync_month_view_focus_chain (CalsyncMonthView *self)
{
  GPtrArray *chain = g_ptr_array_sized_new (2 * N_CELLS + self->segments->len);
  g_autoptr(GArray) order = g_array_sized_new (FALSE, FALSE, sizeof (guint), self->segments->len);
  guint next = 0;

  for (guint i = 0; i < self->segments->len; i++)
    if (g_array_index (self->segments, Segment, i).widget != NULL)
      g_array_append_val (order, i);
  g_array_sort_with_data (order, compare_segments_by_day, self->segments);

  for (int day = 0; day < N_CELLS; day++)
    {
      g_ptr_array_add (chain, self->cells[day]);
      for (; next < order->len; next++)
        {
          const Segment *segment = &g_array_index (self->segments, Segment, g_array_index (order, guint, next));

          if (segment->row * N_COLS + segment->first_col != day)
            break;
          g_ptr_array_add (chain, segment->widget);
        }
      if (self->more_buttons[day] != NULL)
        g_ptr_array_add (chain, self->more_buttons[day]);
    }
  return chain;
}


static int
focused_cell (CalsyncMonthView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  for (int i = 0; focus != NULL && i < N_CELLS; i++)
    if (self->cells[i] == focus)
      return i;
  return -1;
}

/* A new one-hour event at 09:00 on the day of @cell */
void
calsync_month_view_request_new_event (CalsyncMonthView *self,
                                      int               cell)
{
  g_autoptr(GDateTime) day = calsync_month_view_cell_date (self, cell);
  g_autoptr(GDateTime) start = g_date_time_new_local (g_date_time_get_year (day), g_date_time_get_month (day),
                                                      g_date_time_get_day_of_month (day), 9, 0, 0);

  gtk_widget_activate_action (GTK_WIDGET (self), "win.new-event-at", "x", g_date_time_to_unix (start));
}

/* Moves the focus from the cell at @index by @days; a day of another month shows
 * that month (through the window's navigation, so its title follows). */
static void
move_by_days (CalsyncMonthView *self,
              int               index,
              int               days)
{
  g_autoptr(GDateTime) day = calsync_month_view_cell_date (self, index);
  g_autoptr(GDateTime) shifted = g_date_time_add_days (day, days);
  g_autoptr(GDateTime) target = calsync_date_start_of_day (shifted);
  int months = (g_date_time_get_year (target) - g_date_time_get_year (self->date)) * 12 +
               g_date_time_get_month (target) - g_date_time_get_month (self->date);
  int target_index;

  if (months != 0)
    {
      const char *action = months > 0 ? "win.next" : "win.previous";
      gboolean moved = TRUE;

      for (int i = 0; i < ABS (months) && moved; i++)
        moved = gtk_widget_activate_action (GTK_WIDGET (self), action, NULL);
      /* No window around (or it shows another month): show it ourselves */
      if (!moved || g_date_time_get_month (self->date) != g_date_time_get_month (target) ||
          g_date_time_get_year (self->date) != g_date_time_get_year (target))
        calsync_month_view_set_date (self, target);
    }

  target_index = calsync_date_days_between (self->grid_start, target);
  if (target_index >= 0 && target_index < N_CELLS)
    gtk_widget_grab_focus (self->cells[target_index]);
}

/* Enter on a day: its first event, or a new event there when it has none */
static void
activate_cell (CalsyncMonthView *self,
               int               index)
{
  g_autoptr(GPtrArray) chain = NULL;
  guint position;

  if (self->lanes_used[index] == 0)
    {
      calsync_month_view_request_new_event (self, index);
      return;
    }

  chain = calsync_month_view_focus_chain (self);
  if (!g_ptr_array_find (chain, self->cells[index], &position))
    return;
  for (guint i = position + 1; i < chain->len; i++)
    {
      GtkWidget *candidate = g_ptr_array_index (chain, i);

      if (candidate == self->cells[MIN (index + 1, N_CELLS - 1)] && index + 1 < N_CELLS)
        break;
      if (gtk_widget_get_mapped (candidate) && gtk_widget_grab_focus (candidate))
        return;
    }
  /* Its events are not shown yet (still being made): a new one instead */
  calsync_month_view_request_new_event (self, index);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                CalsyncMonthView      *self)
{
  gboolean rtl = gtk_widget_get_direction (GTK_WIDGET (self)) == GTK_TEXT_DIR_RTL;
  int index = focused_cell (self);

  if (index < 0 || self->grid_start == NULL ||
      (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK | GDK_SUPER_MASK)) != 0)
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      move_by_days (self, index, rtl ? 1 : -1);
      return TRUE;
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      move_by_days (self, index, rtl ? -1 : 1);
      return TRUE;
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      move_by_days (self, index, -N_COLS);
      return TRUE;
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      move_by_days (self, index, N_COLS);
      return TRUE;
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
    case GDK_KEY_space:
    case GDK_KEY_KP_Space:
      activate_cell (self, index);
      return TRUE;
    default:
      return FALSE;
    }
}

void
calsync_month_view_create_grid (CalsyncMonthView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkEventController *keys;

  /* The accessible structure of a grid: rows of cells. A GtkBox only for its
   * plain container behaviour (it unparents its children on dispose). */
  for (int r = 0; r < N_ROWS; r++)
    {
      self->rows[r] = g_object_new (GTK_TYPE_BOX, "accessible-role", GTK_ACCESSIBLE_ROLE_ROW, NULL);
      gtk_widget_set_layout_manager (self->rows[r], gtk_custom_layout_new (NULL, row_measure, row_allocate));
      gtk_widget_add_css_class (self->rows[r], "week");
      gtk_widget_set_parent (self->rows[r], widget);
    }

  for (int i = 0; i < N_CELLS; i++)
    {
      self->cells[i] = g_object_new (CALSYNC_TYPE_MONTH_CELL, NULL);
      gtk_widget_add_css_class (self->cells[i], "day");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->cells[i]),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
      self->day_labels[i] = gtk_label_new (NULL);
      gtk_widget_set_halign (self->day_labels[i], GTK_ALIGN_START);
      gtk_widget_add_css_class (self->day_labels[i], "day-number");
      /* The cell's name says the day: the number would be read twice */
      gtk_accessible_update_state (GTK_ACCESSIBLE (self->day_labels[i]), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
      gtk_widget_set_parent (self->day_labels[i], self->cells[i]);
      gtk_widget_set_parent (self->cells[i], self->rows[i / N_COLS]);
      self->more_named[i] = -1;
    }

  keys = gtk_event_controller_key_new ();
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (widget, keys);
}
